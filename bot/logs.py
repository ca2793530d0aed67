"""Logging for operators: plain lines or one JSON object per line (LOG_FORMAT=json, for log
shippers such as Loki, Elasticsearch or Cloud Logging), the bot token never in either, and no
learner's data (names, typed answers) unless the operator opts in with LOG_SQL=true."""

from __future__ import annotations

import logging
import sys
from typing import Final, Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that write SQL statements with their parameters (names, typed answers): SQLAlchemy's
# engine at INFO, aiosqlite's operations at DEBUG, asyncpg's. Kept at WARNING unless LOG_SQL.
SQL_LOGGERS: Final = ("sqlalchemy.engine", "sqlalchemy.dialects", "aiosqlite", "asyncpg")
_sql_opted_in = False


class Redact(logging.Filter):
    """Replace secrets (the bot token) in every log line, tracebacks included: aiogram's
    errors can carry request URLs, and those contain the token."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        text = record.getMessage()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            # Formatters would format exc_info again, secrets included: keep only the text.
            record.exc_info = None
        for secret in self.secrets:
            text = text.replace(secret, "***")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "***")
        record.msg, record.args = text, None
        return True


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(
    level: str, *secrets: str, log_format: LogFormat = "text", log_sql: bool = False
) -> None:
    """The root logger at ``level``; ``log_sql``: the database drivers' statements and their
    parameters, personal data included, reach the log too (at ``level``, when INFO or DEBUG)."""
    global _sql_opted_in
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(Redact(*secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # aiogram logs every update and aiohttp every webhook request at INFO, python-telegram-bot
    # and httpx every request (its parameters: names, typed answers) at DEBUG and INFO: keep the
    # operator's log readable and free of personal data (a reverse proxy's access log covers the
    # requests).
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for noisy in ("aiogram.event", "aiohttp.access", "telegram", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(quiet)
    # With LOG_SQL, at ``level`` itself: SQLAlchemy keeps its own loggers at WARNING otherwise.
    for name in SQL_LOGGERS:
        logging.getLogger(name).setLevel(level if log_sql else quiet)
    _sql_opted_in = log_sql


def sql_parameters_logged() -> bool:
    """Whether the operator opted in (LOG_SQL) to SQL parameters in logs and in the text of
    database errors; otherwise engines hide them (``hide_parameters``)."""
    return _sql_opted_in
