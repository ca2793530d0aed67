"""The loaded content bank, kept as a pickle that every worker of the bot reads instead of parsing
and validating the YAML again (issue 19: started in 2 s; parsing takes about half a second, the
pickle 40 ms). The file's name is a digest of the bank's files and of the code that turns them
into a bank, so an edit to either makes a new one; a cache that cannot be read or written is
only a slower start, never an error."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Final

import bot.core.typography
from content import models
from content.bank import ContentBank
from content.loader import CONTENT_ROOT, load_bank

log = logging.getLogger(__name__)
# The code a cached bank depends on (the content package, the French typography applied at
# load): a change there is a new bank even from the same files.
CODE: Final = (
    *sorted(Path(models.__file__ or "").parent.glob("*.py")),
    Path(bot.core.typography.__file__ or ""),
)
KEEP: Final = 4  # banks kept in the folder: the newest ones (one per content version running)


def default_folder() -> Path:
    """``$XDG_CACHE_HOME/pixbot``, else ``~/.cache/pixbot``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path(os.path.expanduser("~")) / ".cache"
    return Path(base) / "pixbot"


def digest(root: Path) -> str:
    """A digest of every file under ``root`` (names and bytes) and of the loading code."""
    found = hashlib.sha256()
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    for name, path in [
        *((str(p.relative_to(root)), p) for p in files),
        *((p.name, p) for p in CODE),
    ]:
        found.update(name.encode() + b"\0")
        found.update(path.read_bytes())
    return found.hexdigest()[:32]


def cached_bank(root: Path | None = None, folder: Path | None = None) -> ContentBank:
    """The bank under ``root`` (the shipped one by default), from ``folder``'s cache when it
    holds this version, else loaded (raising ContentError as load_bank does) and cached."""
    root = (root or CONTENT_ROOT).resolve()
    folder = folder or default_folder()
    try:
        path = folder / f"bank-{digest(root)}.pickle"
    except OSError as error:  # a file vanished while we read: load without the cache
        log.warning("content cache: cannot digest %s (%s)", root, error)
        return load_bank(root)
    try:
        with path.open("rb") as file:
            found = pickle.load(file)  # noqa: S301 (our own folder, written below)
        if isinstance(found, ContentBank):
            return found
    except FileNotFoundError:
        pass
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
        log.warning("content cache: %s unreadable (%s); loading the YAML", path, error)
    bank = load_bank(root)
    _store(bank, path)
    return bank


def _store(bank: ContentBank, path: Path) -> None:
    """Write atomically (a worker reading meanwhile sees the whole file or none), then keep the
    newest few."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as file:
            temporary = Path(file.name)
            pickle.dump(bank, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        older = sorted(path.parent.glob("bank-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP]:
            stale.unlink(missing_ok=True)
    except OSError as error:
        log.info("content cache: not written to %s (%s); each start parses the YAML", path, error)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
