"""Configuration from the environment or a .env file (pydantic-settings)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_CONCURRENT_UPDATES: Final = 4  # see bot/serving/turns.py
# SQLite has one writer at a time: more updates at once only make its lock's busy handler sleep.
SQLITE_CONCURRENT_UPDATES: Final = 1
# A Bot API token: the bot id, a colon, 35 characters of [A-Za-z0-9_-].
TOKEN_PATTERN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
# TELEGRAM_LIBRARY: aiogram 3 or python-telegram-bot 22 ("ptb").
TelegramLibrary = Literal["aiogram", "ptb"]


class MissingToken(Exception):
    """BOT_TOKEN is absent or does not look like a token."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    # The Telegram library `pixbot run` serves with: python-telegram-bot 22 or aiogram 3 (the same
    # bot either way: the core and bot/serving are shared). python-telegram-bot by default: the
    # same CPU per update and latency, a third less memory per worker (bot/lab/MEASURED.md).
    telegram_library: TelegramLibrary = "ptb"
    database_url: str = "sqlite+aiosqlite:///pixbot.db"
    telegram_api_base: str | None = (
        None  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081
    )
    webhook_url: str | None = None  # webhook mode when set, e.g. https://bot.example.org/telegram
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 - a webhook server listens for Telegram
    webhook_port: int = 8080
    default_language: Literal["en", "fr", "sv"] = "en"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for log shippers
    # SQL statements with their parameters (learners' names, typed answers) in the log at
    # LOG_LEVEL INFO or DEBUG, and in database errors: off unless the operator opts in.
    log_sql: bool = False
    content_path: Path | None = None  # another content bank (authors previewing drafts)
    engine: Literal["irt", "smart-random"] = "irt"  # Pix's smart random: ENGINE=smart-random
    max_level: int = Field(default=6, ge=1, le=8)
    polling_timeout: int = Field(default=30, ge=1, le=60)
    # Messages per second sent to groups (Telegram allows ~30 in all): with REDIS_URL the bot's
    # total, shared by its processes; without, each process's own, so give each a share.
    delivery_rate: float = Field(default=25.0, gt=0, le=30)
    # Updates handled at once by a process; the others wait their turn. Keep it under the
    # database connection pool's size (15): see bot/serving/turns.py. Unset:
    # SQLITE_CONCURRENT_UPDATES on SQLite, MAX_CONCURRENT_UPDATES otherwise.
    max_concurrent_updates: int | None = Field(default=None, ge=1, le=15)
    # /healthz and /metrics on this port (webhook mode also serves them on the webhook port).
    metrics_port: int | None = None
    # Redis shared by the bot's processes (redis://[:password@]host:6379/0): with it, the delivery
    # rate limits and the group administrators' cache are shared, and DELIVERY_RATE is the bot's
    # total rate for all processes together; without it, each process keeps its own (per process).
    redis_url: str | None = None
    # The campaign dashboard (a Telegram Mini App): its public HTTPS address, e.g.
    # https://bot.example.org/dashboard. Unset: no dashboard is served and no button opens it.
    # Webhook mode serves it on WEBHOOK_PORT; long polling on DASHBOARD_PORT.
    dashboard_url: str | None = None
    dashboard_port: int = 8081

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("telegram_library", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip().rstrip("/") or None if value else None

    @field_validator("dashboard_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        value = value.strip().rstrip("/") if value else None
        if value and not value.lower().startswith("https://"):
            # Telegram opens a Mini App only from an HTTPS address.
            raise ValueError("a Mini App's address starts with https://")
        return value or None

    @model_validator(mode="after")
    def _ports_apart(self) -> Settings:
        # Long polling serves the dashboard and /metrics on servers of their own: one port
        # cannot take both (webhook mode serves the dashboard on WEBHOOK_PORT instead).
        if (
            self.dashboard_url
            and not self.webhook_url
            and self.metrics_port == self.dashboard_port
        ):
            raise ValueError(
                f"DASHBOARD_PORT and METRICS_PORT are both {self.dashboard_port}: give each a "
                "port of its own"
            )
        return self

    def concurrent_updates(self) -> int:
        if self.max_concurrent_updates is not None:
            return self.max_concurrent_updates
        if self.database_url.startswith("sqlite"):
            return SQLITE_CONCURRENT_UPDATES
        return MAX_CONCURRENT_UPDATES

    def token(self) -> str:
        """The bot token, or MissingToken with a message that says what to do."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise MissingToken(
                "BOT_TOKEN is not set: put the token from @BotFather in the environment or in "
                ".env, or try the bot without one: make chat (or .venv/bin/pixbot chat)"
            )
        token = self.bot_token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise MissingToken(
                "BOT_TOKEN does not look like a Telegram bot token (123456789:AA...); check it, "
                "or try the bot without one: make chat (or .venv/bin/pixbot chat)"
            )
        return token
