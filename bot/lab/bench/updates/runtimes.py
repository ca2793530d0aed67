"""The Telegram runtimes a run measures, each behind the same few calls: pixbot built as
``pixbot run`` builds it, the bare echo bot of the runtime's library (the ceiling) and the
durable echo bot (the floor of any bot that handles a redelivered update once), all on the
local Bot API. A runtime's module (``aiogram_bots``, ``ptb_bots``) is imported only when that
runtime runs: a run of one imports nothing of the other's library."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.flood import FloodGuard
from bot.delivery.limiter import RateLimiter
from bot.lab.bench.updates.api import LocalApi
from bot.lab.bench.updates.database import Database, first_ids
from bot.memory import freeze_startup_objects, trim_loop

if TYPE_CHECKING:
    from bot.core.conversation import Conversation
    from bot.core.engines import Engine
    from bot.serving.metrics import Metrics
    from bot.settings import Settings

AIOGRAM: Final = "aiogram"
PTB: Final = "ptb"  # python-telegram-bot
RUNTIMES: Final = (AIOGRAM, PTB)
LIBRARIES: Final = {AIOGRAM: "aiogram", PTB: "telegram.ext"}  # what importing the library is


@dataclass
class Fed:
    """A bot as the learners reach it: ``parse`` makes the runtime's update of the JSON
    Telegram sends (as its polling or webhook does), ``feed`` handles it as polling would."""

    runtime: str
    parse: Callable[[dict[str, Any]], Any]
    feed: Callable[[Any], Awaitable[Any]]


@dataclass
class Pixbot:
    """The real bot on one database, ready to be fed updates."""

    bot: Fed
    engine: AsyncEngine
    adaptive: Engine  # the conversation's adaptive engine
    conversation: Conversation
    metrics: Metrics
    competences: list[str]  # every competence code
    first_update: int  # update and user ids above those already stored
    first_user: int


@dataclass(frozen=True)
class Build:
    """What a runtime builds pixbot's serving on, as ``pixbot run`` gives it."""

    conversation: Conversation
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    metrics: Metrics
    api: LocalApi
    flood: FloodGuard | None
    sleep: Callable[[float], Awaitable[None]]
    limiter: RateLimiter | None


def _module(runtime: str) -> Any:
    if runtime == AIOGRAM:
        from bot.lab.bench.updates import aiogram_bots

        return aiogram_bots
    if runtime == PTB:
        from bot.lab.bench.updates import ptb_bots

        return ptb_bots
    raise ValueError(f"unknown runtime {runtime!r} (one of {', '.join(RUNTIMES)})")


@asynccontextmanager
async def pixbot(
    runtime: str,
    database: Database,
    api: LocalApi,
    flood: FloodGuard | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    limiter: RateLimiter | None = None,
) -> AsyncIterator[Pixbot]:
    """The real bot on ``runtime``, built as ``pixbot run`` builds it, on ``database``
    (created, then dropped), its process's memory handled as ``pixbot run`` handles it.
    ``flood``: the flood guard (default: the shipped one); ``sleep``: how its limits wait;
    ``limiter``: Telegram's rates (default: the shipped ones)."""
    from bot.bootstrap import build_conversation
    from bot.serving.metrics import Metrics
    from bot.settings import Settings
    from storage.database import session_factory, upgrade

    module = _module(runtime)
    await database.create()
    engine = database.engine()
    try:
        await upgrade(engine)
        settings = Settings(database_url=database.url)
        conversation = await build_conversation(settings, engine)
        metrics = Metrics()
        build = Build(
            conversation, session_factory(engine), settings, metrics, api, flood, sleep, limiter
        )
        async with module.pixbot(build) as bot:
            first_update, first_user = await first_ids(engine)
            competences = sorted(conversation.bank.competences)
            adaptive = conversation.assessments.engine
            app = Pixbot(
                bot, engine, adaptive, conversation, metrics, competences, first_update, first_user
            )
            freeze_startup_objects()
            stop = asyncio.Event()
            trimming = asyncio.create_task(trim_loop(stop))
            try:
                yield app
            finally:
                stop.set()
                await trimming
    finally:
        await engine.dispose()
        await database.drop()


def echo(runtime: str, api: LocalApi) -> AbstractAsyncContextManager[Fed]:
    """The ceiling: the runtime's library alone, echoing a message with one button and
    answering a press with a message."""
    return _module(runtime).echo(api)  # type: ignore[no-any-return]


def durable_echo(
    runtime: str,
    api: LocalApi,
    sessions: async_sessionmaker[AsyncSession],
    writes: int = 0,
    shown: bool = False,
) -> AbstractAsyncContextManager[Fed]:
    """The floor: the echo bot once it has claimed the update's id in a transaction of its
    own (pixbot's first step); with ``writes``, that many rows more in the same transaction
    (see ``claim``); with ``shown``, its reply's message id recorded once sent (see
    ``record_shown``)."""
    module = _module(runtime)
    return module.durable_echo(api, sessions, writes, shown)  # type: ignore[no-any-return]


# Far above any real update id: the rows a durable echo writes after its claim.
WRITE_IDS: Final = 1 << 40


async def claim(
    sessions: async_sessionmaker[AsyncSession], update_id: int, writes: int = 0
) -> bool:
    """The durable echo's transaction: claim ``update_id`` and, once claimed, insert
    ``writes`` rows more, each a statement of its own (a row as an answer is: an INSERT on a
    unique key). A bot that reads a learner's state, chooses from it and stores the answer
    needs at least one statement after its choice, so ``writes=1`` is the floor of pixbot's
    storage, its reading folded into the claim for free."""
    from storage.repository import SqlStore

    async with sessions() as session:
        store = SqlStore(session)
        now = datetime.now(UTC)
        claimed = await store.claim_update(update_id, now)
        if claimed:
            for write in range(1, writes + 1):
                await store.claim_update(write * WRITE_IDS + update_id, now)
        await store.commit()
    return claimed


Shown = Callable[[int, int], Awaitable[None]]  # (update id, the reply's message id)


def record_shown(sessions: async_sessionmaker[AsyncSession]) -> Shown:
    """What pixbot does once a challenge is sent (``SqlStores.set_message_id``), the same way:
    one UPDATE by key, a prebuilt statement on a bare connection, committed as it runs (no
    session, no BEGIN nor COMMIT), after the reply, so after the claim's transaction (a reply
    is not sent from inside a transaction: a crash between the two would send it again). It
    touches the row ``claim`` wrote for the update: the bench's schema has no message ids,
    and an UPDATE of one row by its key costs the same."""
    from sqlalchemy import bindparam, update

    from storage.database import single_statements
    from storage.models import ProcessedUpdateRow
    from storage.upsert import table_of

    engine = single_statements(sessions.kw["bind"])
    row = table_of(ProcessedUpdateRow)
    statement = (
        update(row).where(row.c.update_id == bindparam("key")).values(seen_at=bindparam("at"))
    )

    async def shown(update_id: int, _message_id: int) -> None:
        async with engine.connect() as connection:
            values = {"key": WRITE_IDS + update_id, "at": datetime.now(UTC)}
            await connection.execute(statement, values)

    return shown
