"""The learning core stays free of Telegram and database libraries (the adapters' business)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
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
