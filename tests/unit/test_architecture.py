"""The learning core stays free of Telegram and database libraries (the adapters' business);
the tools (bot/lab) stay off the serving path; storage modules import each other without
circles and reach only the core's ports; no module borrows another's private names; a slice
of the core is imported elsewhere only for its buttons and records; no module only forwards
another's names."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "bot" / "core"
LAB = ROOT / "bot" / "lab"
STORAGE = ROOT / "storage"
FORBIDDEN = (
    "aiogram",
    "telegram",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "storage",
    "bot.adapters",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_the_core_imports_no_telegram_or_database_library(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


def python_files(*folders: Path) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*.py")
        if "versions" not in path.relative_to(ROOT).parts  # Alembic's migration scripts
    )


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the tools stay off the serving path ------------------------------------------------------

# Everything `pixbot run` may load: bot/ but the lab and the command line (which imports the
# lab's commands lazily, inside the functions that run them), storage/ and content/.
SERVING = [
    path
    for path in python_files(ROOT / "bot", STORAGE, ROOT / "content")
    if not path.is_relative_to(LAB) and path != ROOT / "bot" / "cli.py"
]


def lab_imports(tree: ast.AST) -> Iterator[ast.stmt]:
    """The import statements of ``tree`` that load bot.lab (``from bot import lab`` too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        if any(name == "bot.lab" or name.startswith("bot.lab.") for name in names):
            yield node


@pytest.mark.parametrize("path", SERVING, ids=relative)
def test_nothing_on_the_serving_path_imports_the_lab(path: Path) -> None:
    found = [node.lineno for node in lab_imports(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, f"{relative(path)} imports bot.lab (lines {found})"


def test_the_command_line_imports_the_lab_only_in_the_commands_that_use_it() -> None:
    tree = ast.parse((ROOT / "bot" / "cli.py").read_text(encoding="utf-8"))
    top_level = [node.lineno for node in tree.body if node in set(lab_imports(tree))]
    assert not top_level, f"bot/cli.py imports bot.lab at module level (lines {top_level})"


def test_pixbot_run_loads_no_tool() -> None:
    code = (
        "import sys, bot.cli, bot.bootstrap\n"
        "print(sorted(m for m in sys.modules if m == 'bot.lab' or m.startswith('bot.lab.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- storage modules: no circles, each importable first --------------------------------------

STORAGE_MODULES = sorted(path.stem for path in STORAGE.glob("*.py") if path.stem != "__init__")


def storage_imports(path: Path) -> set[str]:
    """The storage modules ``path`` imports, wherever the import is (a function's included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == "storage" and parts[1] in STORAGE_MODULES:
                found.add(parts[1])
    return found


def test_storage_modules_import_each_other_without_circles() -> None:
    graph = {name: storage_imports(STORAGE / f"{name}.py") - {name} for name in STORAGE_MODULES}
    found = core_cycle(graph)  # the core's cycle finder, below
    assert found is None, "storage modules import each other in a circle: " + " → ".join(found)


@pytest.mark.parametrize("name", STORAGE_MODULES)
def test_each_storage_module_imports_first(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import storage.{name}"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_table_module_is_listed_in_storage_tables() -> None:
    from storage.tables import TABLE_MODULES, metadata

    defining: dict[str, set[str]] = {}  # module: the tables it defines
    for name in STORAGE_MODULES:
        for node in ast.parse((STORAGE / f"{name}.py").read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "Base" for base in node.bases
            ):
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and ast.unparse(statement.targets[0]) == "__tablename__"
                        and isinstance(statement.value, ast.Constant)
                    ):
                        defining.setdefault(name, set()).add(statement.value.value)
    listed = {module.__name__.removeprefix("storage.") for module in TABLE_MODULES}
    assert set(defining) == listed
    assert set(metadata.tables) == set().union(*defining.values())


# --- no private names borrowed across modules (bot/core has its own check) ---------------------

BORROWING = [
    path
    for path in python_files(ROOT / "bot", STORAGE, ROOT / "content")
    if not path.is_relative_to(CORE)
]


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def borrowed_names(tree: ast.AST) -> list[str]:
    """``from x import _name``, and ``imported._name`` where ``imported`` is a name an import
    bound (a module, or a class or function of another module)."""
    found = []
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if private(alias.name):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                imported.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            imported.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            owner = node.value
            while isinstance(owner, ast.Attribute):
                owner = owner.value
            if isinstance(owner, ast.Name) and owner.id in imported:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_borrowing_check_sees_both_forms() -> None:
    tree = ast.parse(
        "from a.b import _c, d\nimport e.f\nimport g as h\n"
        "d._x\ne.f._y\nh._z\nself._fine\nd.__name__\n"
    )
    assert borrowed_names(tree) == [
        "line 1: from a.b import _c",
        "line 4: d._x",
        "line 5: e.f._y",
        "line 6: h._z",
    ]


@pytest.mark.parametrize("path", BORROWING, ids=relative)
def test_no_private_name_is_borrowed_from_another_module(path: Path) -> None:
    found = borrowed_names(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, f"{relative(path)} borrows private names: {found}"


# --- bot/core: no circles among its modules, no private names borrowed across them -------------


def core_module(path: Path) -> str:
    parts = path.relative_to(CORE.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


CORE_MODULES = {core_module(path): path for path in sorted(CORE.rglob("*.py"))}


def runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import that runs (a function's included), not those under ``TYPE_CHECKING``."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped
    ]


def core_targets(name: str) -> set[str]:
    """The core modules that importing ``name`` runs: it and the packages it is in."""
    parts = name.split(".")
    found = {".".join(parts[:end]) for end in range(3, len(parts) + 1)}
    return found & CORE_MODULES.keys()


@cache  # read, never changed
def core_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in CORE_MODULES.items():
        edges: set[str] = set()
        for node in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                names = []
            for name in names:
                edges |= core_targets(name)
        # A package may import its own modules (bot.core.engines): not counted as a circle.
        graph[module] = {edge for edge in edges if not module.startswith(edge + ".")} - {module}
    return graph


def core_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (its first node repeated at the end), or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for successor in sorted(graph[node]):
            found = visit(successor, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    return next((found for node in sorted(graph) if (found := visit(node, []))), None)


def test_the_core_cycle_finder_finds_one() -> None:
    assert core_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert core_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_core_graph_sees_the_core() -> None:
    graph = core_graph()
    assert "bot.core.ports" in graph["bot.core.conversation"]
    assert "bot.core.library" in graph["bot.core.ports"]  # importing library.ports runs it


def test_core_modules_import_each_other_without_circles() -> None:
    assert core_cycle(core_graph()) is None


def core_borrowings(module: str, tree: ast.Module) -> list[str]:
    """``from bot.core.x import _name`` and ``x._name`` for an imported core module ``x``,
    when ``x`` is another module than ``module``."""
    found = []
    aliases: set[str] = set()
    for node in runtime_imports(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
            for alias in node.names:
                if alias.name.startswith("_") and node.module != module:
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            aliases.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            owner = node.value
            while isinstance(owner, ast.Attribute):
                owner = owner.value
            if isinstance(owner, ast.Name) and owner.id in aliases:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_core_borrowing_check_sees_both_forms() -> None:
    tree = ast.parse("from bot.core.a import _b, c\nimport bot.core.d\nc._e\nbot.core.d._f\n")
    assert core_borrowings("bot.core.x", tree) == [
        "line 1: from bot.core.a import _b",
        "line 3: c._e",
        "line 4: bot.core.d._f",
    ]


@pytest.mark.parametrize("module", sorted(CORE_MODULES))
def test_no_core_module_borrows_another_ones_private_names(module: str) -> None:
    tree = ast.parse(CORE_MODULES[module].read_text(encoding="utf-8"))
    found = core_borrowings(module, tree)
    assert not found, f"{module} borrows private names: {found}"


# --- bot/core's slices: each owns its screens; storage reaches only the core's ports ----------

# A slice is a package of bot/core with its own commands (home, assessment, groups…).
SLICES = sorted(path.parent.name for path in CORE.glob("*/commands.py"))
# What a module may import of a slice it is not in: a button leading there, its records.
SHARED_BY_SLICES = ("callbacks", "ports")
COMPOSER = "bot.core.conversation"  # builds every slice with its screens


def slice_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[2] in SLICES else None


def test_the_slices_are_found() -> None:
    assert {"assessment", "campaigns", "groups", "home", "library"} <= set(SLICES)
    assert slice_of("bot.core.home.screens") == "home"
    assert slice_of("bot.core.screens") is None


@pytest.mark.parametrize("module", sorted(CORE_MODULES))
def test_a_slice_is_imported_elsewhere_only_for_its_buttons_and_records(module: str) -> None:
    """No module imports another slice's screens, commands or rules (the conversation, which
    builds the slices, aside): what two slices share goes down a floor or is handed to one
    when it is built."""
    if module == COMPOSER:
        return
    found = sorted(
        target
        for target in core_graph()[module]
        if slice_of(target) not in (None, slice_of(module))
        and target.split(".")[3] not in SHARED_BY_SLICES
    )
    assert not found, f"{module} imports {found}"


def storage_core_imports(path: Path) -> set[str]:
    """The core modules that importing the storage module ``path`` runs directly."""
    found: set[str] = set()
    for node in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            found |= core_targets(name)
    return found


@pytest.mark.parametrize("name", STORAGE_MODULES)
def test_storage_reaches_only_the_cores_ports_and_plain_rules(name: str) -> None:
    """Storage implements the core's ports: of the core, importing a storage module runs
    ports modules and the plain rules they name (modules importing no other core module),
    never a slice's handlers or screens nor the conversation."""
    graph = core_graph()
    reached, todo = set(), list(storage_core_imports(STORAGE / f"{name}.py"))
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(graph[module])
    beyond = sorted(m for m in reached if not m.endswith(".ports") and graph[m])
    assert not beyond, f"storage.{name} runs {beyond}"


# --- no module only re-exports another's names ------------------------------------------------


def reexport_only(tree: ast.Module) -> bool:
    """A module of imports alone (a docstring and ``__all__`` aside): a former module's name
    kept for its importers, which import the real module instead."""

    def kept(node: ast.stmt) -> bool:
        return not (
            isinstance(node, ast.Import | ast.ImportFrom)
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            or (isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__")
        )

    return bool(tree.body) and not any(kept(node) for node in tree.body)


def test_the_reexport_check_sees_a_shim() -> None:
    shim = '"""Moved."""\nfrom a.b import C\n\n__all__ = ["C"]\n'
    assert reexport_only(ast.parse(shim))
    assert not reexport_only(ast.parse(shim + "D = C\n"))
    assert not reexport_only(ast.parse(""))


@pytest.mark.parametrize(
    "path",
    [p for p in python_files(ROOT / "bot", STORAGE, ROOT / "content") if p.name != "__init__.py"],
    ids=relative,
)
def test_no_module_only_reexports_another(path: Path) -> None:
    """Modules that moved leave no forwarding module behind (bot.core.dialogue,
    bot.core.group_ports, bot.core.campaign_ports and four of the aiogram adapter's modules that
    moved to bot/serving were): importers name the real one."""
    assert not reexport_only(ast.parse(path.read_text(encoding="utf-8"))), relative(path)


# --- the campaign dashboard: served by aiohttp, whatever the Telegram library -----------------

DASHBOARD = ROOT / "bot" / "dashboard"


@pytest.mark.parametrize("path", sorted(DASHBOARD.rglob("*.py")), ids=relative)
def test_the_dashboard_imports_no_telegram_library(path: Path) -> None:
    """Both runtimes serve the same dashboard: it knows aiohttp, the core and storage's
    outage rule, never aiogram nor python-telegram-bot (nor an adapter)."""
    bad = {
        name
        for name in imported_modules(path)
        if any(
            name == f or name.startswith(f + ".") for f in ("aiogram", "telegram", "bot.adapters")
        )
    }
    assert not bad, f"{relative(path)} imports {sorted(bad)}"
