"""Logging for operators: plain lines or one JSON object per line (LOG_FORMAT=json, for log
shippers such as Loki, Elasticsearch or Cloud Logging), the bot token never in either."""

from __future__ import annotations

import logging
import sys
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def configure_logging(level: str, *secrets: str, log_format: LogFormat = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(Redact(*secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # aiogram logs every update and aiohttp every webhook request at INFO: keep the operator's
    # log readable (a reverse proxy's access log covers the requests).
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for noisy in ("aiogram.event", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(quiet)
