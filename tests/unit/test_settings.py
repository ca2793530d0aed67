"""Settings whose default depends on the rest of the configuration; the tests' own."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from bot.core.conversation import Conversation
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


def test_the_tests_run_with_the_shipped_settings_but_their_own_database(
    settings: Settings,
    make_conversation: Callable[..., Conversation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the conversation tests run with is what `Settings()` gives on a machine without
    .env or variables: a changed default is tested as shipped (the engine included)."""
    for name in list(os.environ):
        if name.lower() in Settings.model_fields:
            monkeypatch.delenv(name)
    shipped = Settings(_env_file=None)
    assert settings.database_url != shipped.database_url
    assert settings.model_dump(exclude={"database_url"}) == shipped.model_dump(
        exclude={"database_url"}
    )
    conversation = make_conversation()
    assert conversation.assessments.engine.name == shipped.engine
    assert conversation.assessments.max_level == shipped.max_level
    assert conversation.default_language == shipped.default_language


def test_the_dashboard_needs_an_https_address() -> None:
    """Telegram opens a Mini App only over HTTPS: DASHBOARD_URL says so at start."""
    assert Settings(_env_file=None).dashboard_url is None  # no dashboard, no button
    given = Settings(_env_file=None, dashboard_url=" https://bot.example.org/dashboard/ ")
    assert given.dashboard_url == "https://bot.example.org/dashboard"
    assert Settings(_env_file=None, dashboard_url="").dashboard_url is None
    with pytest.raises(ValidationError, match="https://"):
        Settings(_env_file=None, dashboard_url="http://bot.example.org/dashboard")


def test_the_dashboard_and_the_metrics_do_not_share_a_port_in_long_polling() -> None:
    https = "https://bot.example.org/dashboard"
    with pytest.raises(ValidationError, match="DASHBOARD_PORT and METRICS_PORT are both 8081"):
        Settings(_env_file=None, dashboard_url=https, metrics_port=8081)
    # Apart, or in webhook mode (the dashboard is on WEBHOOK_PORT), or with no dashboard: fine.
    assert Settings(_env_file=None, dashboard_url=https, metrics_port=9000).metrics_port == 9000
    hook = "https://bot.example.org/telegram"
    assert Settings(_env_file=None, dashboard_url=https, metrics_port=8081, webhook_url=hook)
    assert Settings(_env_file=None, metrics_port=8081).dashboard_url is None
