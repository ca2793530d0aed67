"""Operators' logs: the token never appears, LOG_FORMAT=json gives one object per line, and
SQL parameters (learners' data) stay out unless LOG_SQL opts in."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot import logs
from bot.bootstrap import open_database
from bot.logs import Redact, configure_logging
from bot.settings import Settings

TOKEN = "123456789:AAEhBP0av28yHjs8_Mq6FMh2W4qS6xxXy-Q"


def _fail(logger: logging.Logger) -> None:
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        logger.exception("request to %s failed", f"https://api.telegram.org/bot{TOKEN}/getMe")


def test_the_bot_token_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(Redact(TOKEN))
    _fail(logging.getLogger("pixbot.test"))
    assert TOKEN not in caplog.text
    assert "bot***/getMe" in caplog.text and "bot***/sendMessage" in caplog.text


def test_json_logs_are_one_redacted_object_per_line(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO", TOKEN, log_format="json")
    logger = logging.getLogger("pixbot.test")
    logger.info("served %d updates", 3)
    _fail(logger)
    lines = capsys.readouterr().err.strip().splitlines()
    assert TOKEN not in "".join(lines)
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "served 3 updates"
    assert (first["level"], first["logger"]) == ("INFO", "pixbot.test")
    assert "time" in first
    assert second["level"] == "ERROR"
    assert "bot***/getMe" in second["message"]
    assert "RuntimeError" in second["exc_info"] and "bot***/sendMessage" in second["exc_info"]


def test_text_logs_stay_plain_lines(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO", TOKEN)
    _fail(logging.getLogger("pixbot.test"))
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert " ERROR pixbot.test: request to https://api.telegram.org/bot***/getMe failed" in err
    assert "Traceback" in err and "bot***/sendMessage" in err


def test_debug_keeps_the_database_drivers_quiet_unless_log_sql(restore_logging: None) -> None:
    configure_logging("DEBUG")
    assert logging.getLogger("pixbot").isEnabledFor(logging.DEBUG)
    for name in ("sqlalchemy.engine.Engine", "aiosqlite", "asyncpg"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    assert not logs.sql_parameters_logged()
    configure_logging("DEBUG", log_sql=True)
    for name in ("sqlalchemy.engine.Engine", "aiosqlite", "asyncpg"):
        assert logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    assert logs.sql_parameters_logged()
    configure_logging("INFO")  # and back, in one process
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.INFO)


def test_log_sql_is_an_explicit_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOG_SQL", raising=False)
    assert Settings(_env_file=None).log_sql is False  # type: ignore[call-arg]
    monkeypatch.setenv("LOG_SQL", "true")
    assert Settings(_env_file=None).log_sql is True  # type: ignore[call-arg]


@pytest.mark.parametrize("log_sql", [False, True])
async def test_database_errors_show_parameters_only_with_log_sql(
    tmp_path: Path, restore_logging: None, log_sql: bool
) -> None:
    configure_logging("WARNING", log_sql=log_sql)
    engine = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    insert = text("INSERT INTO users (id, first_name) VALUES (1, :name)")  # no language
    try:
        async with engine.connect() as connection:
            with pytest.raises(IntegrityError) as error:
                await connection.execute(insert, {"name": "Zéphyrine"})
    finally:
        await engine.dispose()
    assert ("Zéphyrine" in str(error.value)) is log_sql
