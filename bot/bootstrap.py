"""The one place where everything is built from settings."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, Final, get_args
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.core.engines import get_engine
from bot.core.i18n import Catalogs
from bot.logs import configure_logging, sql_parameters_logged
from bot.settings import MissingToken, Settings, TelegramLibrary
from content.bank import ContentBank
from content.cache import cached_bank
from content.loader import ContentError
from storage.calibration import load_overrides
from storage.database import create_engine, session_factory, upgrade
from storage.repository import store_factory

log = logging.getLogger("pixbot")


def utc_now() -> datetime:
    return datetime.now(UTC)


async def open_database(url: str) -> AsyncEngine:
    """Connect and bring the schema up to date (migrations are idempotent). Statements'
    parameters stay out of logs and error texts unless the operator opted in (LOG_SQL)."""
    engine = create_engine(url, hide_parameters=not sql_parameters_logged())
    await upgrade(engine)
    return engine


async def load_calibrated_bank(settings: Settings, engine: AsyncEngine) -> ContentBank:
    """The content bank with the item parameters `pixbot calibrate` stored, if any; the bank
    itself from the workers' shared cache when it holds this version (content/cache.py)."""
    bank = cached_bank(settings.content_path)
    async with session_factory(engine)() as session:
        overrides = await load_overrides(session)
    if overrides:
        log.info("using calibrated parameters for %d challenges", len(overrides))
    return bank.with_irt(overrides)


async def build_conversation(settings: Settings, engine: AsyncEngine) -> Conversation:
    return Conversation(
        bank=await load_calibrated_bank(settings, engine),
        stores=store_factory(session_factory(engine)),
        engine=get_engine(settings.engine),
        clock=utc_now,
        catalogs=Catalogs(),
        default_language=settings.default_language,
        max_level=settings.max_level,
        dashboard_url=settings.dashboard_url,
    )


def run_bot() -> int:
    settings = load_settings()
    if settings is None:
        return 2
    try:
        token = settings.token()
    except MissingToken as error:
        print(f"pixbot: {error}", file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level, token, log_format=settings.log_format, log_sql=settings.log_sql
    )
    from bot.serving.process import StartFailed, TokenRefused, Unreachable

    serve = runtime_server(settings.telegram_library)
    log.info("serving Telegram with %s", LIBRARY_NAMES[settings.telegram_library])
    host = api_host(settings.telegram_api_base)
    try:
        asyncio.run(serve(settings, token))
    except Unreachable as error:
        print(
            f"pixbot: cannot reach the Telegram Bot API at {host} "
            f"({first_line(error.detail, token)}): check the network or TELEGRAM_API_BASE",
            file=sys.stderr,
        )
        return 1
    except TokenRefused:
        print(
            f"pixbot: the Telegram Bot API at {host} refused BOT_TOKEN (Unauthorized): check "
            "the token from @BotFather",
            file=sys.stderr,
        )
        return 2
    except StartFailed as error:
        print(
            f"pixbot: the Telegram Bot API at {host} failed at start: "
            f"{error.kind}: {first_line(error.detail, token)}",
            file=sys.stderr,
        )
        return 1
    except ContentError as error:
        print(f"pixbot: the content bank is invalid:\n{error}", file=sys.stderr)
        return 1
    except (OSError, SQLAlchemyError) as error:
        print(
            f"pixbot: cannot open the database {shown_url(settings.database_url)}: "
            f"{error.__class__.__name__}: {str(error).splitlines()[0] if str(error) else ''}",
            file=sys.stderr,
        )
        return 1
    return 0


LIBRARY_NAMES: Final[dict[TelegramLibrary, str]] = {
    "aiogram": "aiogram",
    "ptb": "python-telegram-bot",
}


def runtime_server(
    library: TelegramLibrary,
) -> Callable[[Settings, str], Coroutine[Any, Any, None]]:
    """The ``serve`` of TELEGRAM_LIBRARY's runtime; the other library is never imported."""
    if library == "ptb":
        from bot.adapters.ptb.server import serve
    else:
        from bot.adapters.telegram.server import serve
    return serve


def load_settings() -> Settings | None:
    """The settings, or None once each invalid one is reported in a line."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            print(f"pixbot: {setting_problem(problem)}", file=sys.stderr)
        return None


def setting_problem(problem: ErrorDetails) -> str:
    """``TELEGRAM_LIBRARY='telethon': Input should be 'aiogram' or 'ptb'``: the variable, what
    it was (never a secret's value) and what is wrong."""
    if not problem["loc"]:  # a rule between settings: its message names them, no input shown
        return f"{problem['msg'].removeprefix('Value error, ')} (the environment or .env)"
    field = str(problem["loc"][0])
    described = Settings.model_fields.get(field)
    secret = described is not None and SecretStr in (
        described.annotation,
        *get_args(described.annotation),
    )
    shown = "" if secret or "input" not in problem else f"={str(problem['input'])[:60]!r}"
    return f"{field.upper()}{shown}: {problem['msg']} (the environment or .env)"


def api_host(base: str | None) -> str:
    """The Bot API's host (and port) for a message: never a user or password."""
    if not base:
        return "api.telegram.org"
    netloc = urlsplit(base).netloc or base
    return netloc.rpartition("@")[2]


def first_line(text: str, *secrets: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    for secret in secrets:
        line = line.replace(secret, "***")
    return line.removeprefix("HTTP Client says - ")


def shown_url(url: str) -> str:
    """A database URL fit for a log line: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(malformed DATABASE_URL)"


def upgrade_database() -> int:
    settings = Settings()
    configure_logging(settings.log_level, log_format=settings.log_format, log_sql=settings.log_sql)

    async def _upgrade() -> None:
        engine = await open_database(settings.database_url)
        await engine.dispose()

    asyncio.run(_upgrade())
    print("database is up to date")
    return 0
