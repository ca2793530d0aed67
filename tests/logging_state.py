"""A fixture that gives back the logging configuration a test changed (handlers, levels)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.logs import SQL_LOGGERS


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = (*SQL_LOGGERS, "aiogram.event", "aiohttp.access")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)
    logs._sql_opted_in = False
