"""Operators' logs: the token never appears, and LOG_FORMAT=json gives one object per line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import Redact, configure_logging

TOKEN = "123456789:AAEhBP0av28yHjs8_Mq6FMh2W4qS6xxXy-Q"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


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
