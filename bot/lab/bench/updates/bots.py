"""The bots under test, each on its own database: pixbot built as ``pixbot run`` builds it,
the bare aiogram echo bot (the ceiling) and the durable echo bot (the floor of any bot that
handles a redelivered update once)."""

from __future__ import annotations

import asyncio
import html
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.flood import FloodGuard
from bot.delivery.limiter import RateLimiter
from bot.lab.bench.updates.learners import FIRST_USER
from bot.lab.bench.updates.session import TOKEN, LocalSession
from bot.memory import freeze_startup_objects, trim_loop

if TYPE_CHECKING:
    from bot.adapters.telegram.metrics import Metrics

SQLITE: Final = "sqlite"  # --database-url sqlite: a temporary SQLite file


def echo_dispatcher() -> Dispatcher:
    """The ceiling: a bare aiogram dispatcher that echoes a message (with one button) and
    answers a press with a message."""
    dispatcher = Dispatcher()
    again = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="🔁 Again", callback_data="echo")]]
    )

    async def on_message(message: Message) -> None:
        await message.answer(html.escape(message.text or "…"), reply_markup=again)

    async def on_press(query: CallbackQuery, bot: Bot) -> None:
        await query.answer()
        if query.message is not None:
            await bot.send_message(query.message.chat.id, "Pressed.")

    dispatcher.message.register(on_message)
    dispatcher.callback_query.register(on_press)
    return dispatcher


def durable_echo_dispatcher(sessions: async_sessionmaker[AsyncSession]) -> Dispatcher:
    """The floor of any bot that must not handle a redelivered update twice: the echo bot,
    once it has claimed the update's id in a transaction of its own (pixbot's first step)."""
    from storage.repository import SqlStore

    dispatcher = echo_dispatcher()

    async def claim(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        update: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(update, Update)
        async with sessions() as session:
            store = SqlStore(session)
            claimed = await store.claim_update(update.update_id, datetime.now(UTC))
            await store.commit()
        return await handler(update, data) if claimed else None

    dispatcher.update.outer_middleware(claim)
    return dispatcher


@dataclass
class Database:
    """Where one pixbot run stores: a temporary SQLite file, a SQLite file given, or a fresh
    schema in a PostgreSQL database (dropped afterwards)."""

    url: str
    label: str
    folder: str | None = None
    schema: str | None = None

    @classmethod
    def open(cls, url: str) -> Database:
        if url == SQLITE:
            folder = tempfile.mkdtemp(prefix="pixbot-bench-")
            path = os.path.join(folder, "bench.db")
            return cls(f"sqlite+aiosqlite:///{path}", SQLITE, folder=folder)
        backend = make_url(url).get_backend_name()
        if backend == "postgresql":
            return cls(url, backend, schema=f"pixbot_bench_{secrets.token_hex(4)}")
        return cls(url, backend)

    def engine(self) -> AsyncEngine:
        from storage.database import create_engine

        if self.schema is None:
            return create_engine(self.url)
        # Every connection works in the bench's own schema: the database's tables stay apart.
        return create_engine(
            self.url, connect_args={"server_settings": {"search_path": self.schema}}
        )

    async def create(self) -> None:
        if self.schema is not None:
            await self._admin(f'CREATE SCHEMA "{self.schema}"')

    async def drop(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.schema is not None:
            await self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    async def _admin(self, statement: str) -> None:
        """One statement on the database itself, outside the bench's schema."""
        from storage.database import create_engine

        admin = create_engine(self.url)
        try:
            async with admin.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await admin.dispose()


async def first_ids(engine: AsyncEngine) -> tuple[int, int]:
    """Update and user ids above those already stored (the bot handles an update id once)."""
    from storage.models import ProcessedUpdateRow, UserRow

    async with engine.connect() as connection:
        last_update = await connection.scalar(select(func.max(ProcessedUpdateRow.update_id)))
        last_user = await connection.scalar(select(func.max(UserRow.id)))
    return int(last_update or 0) + 1, max(FIRST_USER, int(last_user or 0) + 1)


async def stored_counts(engine: AsyncEngine) -> dict[str, int]:
    from storage.models import AnswerRow, AssessmentRow, UserRow

    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for name, row in (
            ("users", UserRow),
            ("assessments", AssessmentRow),
            ("answers", AnswerRow),
        ):
            count = await connection.scalar(select(func.count()).select_from(row))
            counts[name] = int(count or 0)
    return counts


@dataclass
class Pixbot:
    """The real bot on one database, ready to be fed updates."""

    bot: Bot
    dispatcher: Dispatcher
    engine: AsyncEngine
    metrics: Metrics
    competences: list[str]  # every competence code
    first_update: int  # update and user ids above those already stored
    first_user: int

    async def feed(self, update: Update) -> Any:
        return await self.dispatcher.feed_update(self.bot, update)


@asynccontextmanager
async def pixbot(
    database: Database,
    session: LocalSession,
    flood: FloodGuard | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[Pixbot]:
    """The real bot, built as ``pixbot run`` builds it, on ``database`` (created, then dropped),
    its process's memory handled as ``pixbot run`` handles it. ``flood``: the flood guard
    (default: the one ``build_dispatcher`` makes); ``sleep``: how its limits wait."""
    from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
    from bot.adapters.telegram.metrics import Metrics, RequestMetrics
    from bot.bootstrap import build_conversation
    from bot.settings import Settings
    from storage.database import session_factory, upgrade

    await database.create()
    engine = database.engine()
    bot = create_bot(TOKEN, session=session)
    try:
        await upgrade(engine)
        settings = Settings(database_url=database.url)
        conversation = await build_conversation(settings, engine)
        metrics = Metrics()
        bot.session.middleware(RequestMetrics(metrics))
        dispatcher = build_dispatcher(
            conversation,
            session_factory(engine),
            settings.delivery_rate,
            metrics,
            max_concurrent_updates=settings.concurrent_updates(),
            flood=flood,
            sleep=sleep,
            limiter=limiter,
        )
        first_update, first_user = await first_ids(engine)
        competences = sorted(conversation.bank.competences)
        app = Pixbot(bot, dispatcher, engine, metrics, competences, first_update, first_user)
        freeze_startup_objects()
        stop = asyncio.Event()
        trimming = asyncio.create_task(trim_loop(stop))
        try:
            yield app
        finally:
            stop.set()
            await trimming
    finally:
        await bot.session.close()
        await engine.dispose()
        await database.drop()
