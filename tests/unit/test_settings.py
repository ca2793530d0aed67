"""Settings whose default depends on the rest of the configuration."""

from __future__ import annotations

import pytest

from bot.settings import MAX_CONCURRENT_UPDATES, SQLITE_CONCURRENT_UPDATES, Settings


@pytest.mark.parametrize(
    ("url", "given", "expected"),
    [
        ("sqlite+aiosqlite:///pixbot.db", None, SQLITE_CONCURRENT_UPDATES),
        ("postgresql+asyncpg://pixbot@db/pixbot", None, MAX_CONCURRENT_UPDATES),
        ("sqlite+aiosqlite:///pixbot.db", 3, 3),
        ("postgresql+asyncpg://pixbot@db/pixbot", 12, 12),
    ],
)
def test_updates_at_once_default_to_one_writer_on_sqlite(
    monkeypatch: pytest.MonkeyPatch, url: str, given: int | None, expected: int
) -> None:
    monkeypatch.delenv("MAX_CONCURRENT_UPDATES", raising=False)
    settings = Settings(database_url=url, max_concurrent_updates=given, _env_file=None)
    assert settings.concurrent_updates() == expected
