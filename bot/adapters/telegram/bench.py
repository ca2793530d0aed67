"""``pixbot bench updates``: N simulated learners answer concurrently through the real
dispatcher, handlers, conversation, content bank and database, with a Bot API session that
answers locally (no network). The same learners then talk to a bare aiogram echo bot on the same
session: the ceiling of aiogram and this process on this machine; and a durable echo bot, the
echo once it has claimed each update id in the database: the floor of any bot that must handle
a redelivered update once. Reports updates/s, p50/p99 handler latency (the wall time of
``Dispatcher.feed_update`` less the wait for a turn under MAX_CONCURRENT_UPDATES, reported
apart), errors and memory.

Learners behave like people who only see messages: /start, "Take a test", an area, a competence
they have not taken yet, then a random option for each challenge (one or two options and Submit
for multiple choice, a typed guess for text challenges, Skip now and then), "Another competence"
after a result; a learner who has taken all 16 competences becomes a new person. Each waits for
its update to be handled (and, with ``think``, for a pause) before it sends the next.

The dispatcher's startup hooks (command menus, reminders, group planning, delivery worker) are
not run: ``feed_update`` does not trigger them, only polling and the webhook server do. What
``pixbot run`` does to its process's memory is done: startup's objects frozen, the heap trimmed
every ten seconds (bot.memory).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import logging
import os
import random
import resource
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    TelegramObject,
    Update,
)
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapters.telegram.concurrency import WAITED
from bot.memory import freeze_startup_objects, rss_mb, trim_loop

TOKEN: Final = "123456789:" + "B" * 35
BOT_ID: Final = 123456789
BOT_USERNAME: Final = "pixbot_bench_bot"
FIRST_USER: Final = 7_000_000_000  # learners' ids: far from real ones, distinct per learner
MAX_LEARNERS: Final = 100_000  # a learner's next person is 1,000,000 ids further
SKIP_RATE: Final = 0.04  # share of challenges a learner skips
GUESSES: Final = ("2019", "news-today24.com", "42", "password", "I don't know", "3.5", "https")
LANGUAGES: Final = ("en", "en", "en", "fr", "fr", "sv")
SQLITE: Final = "sqlite"  # --database-url sqlite: a temporary SQLite file
GOAL_SHARE: Final = 0.5  # of the echo ceiling's throughput
GOAL_P99_MS: Final = 50.0
GOAL_GROWTH_MB: Final = 10.0  # RSS growth from the first to the last tenth of the run
GOAL_MEMORY_UPDATES: Final = 100_000  # memory is judged flat over a run this long or longer
UNMEASURED: Final = {  # why a goal is not judged by a run
    "throughput_half_of_echo": "not measured (paced)",
    "memory_flat": f"not measured (under {GOAL_MEMORY_UPDATES:,} updates)",
}
log = logging.getLogger(__name__)


# --- the Bot API, answered locally --------------------------------------------------------


@dataclass
class Screen:
    """One message as the learner sees it after a send or an edit."""

    message_id: int
    text: str
    buttons: list[tuple[str, str]]  # (label, callback data)


@dataclass
class Inbox:
    """What the bot did in one chat while one update was handled."""

    requests: int = 0
    screens: list[Screen] = field(default_factory=list)


# The learner whose update is being handled: each learner is its own task, so its inbox is
# in that task's context and the session finds it without keeping anything itself.
_inbox: ContextVar[Inbox | None] = ContextVar("pixbot_bench_inbox", default=None)


def _buttons(markup: Any) -> list[tuple[str, str]]:
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        (button.text, button.callback_data)
        for row in markup.inline_keyboard
        for button in row
        if button.callback_data
    ]


class LocalSession(BaseSession):
    """A Bot API session without a network. Each request is encoded the way aiogram's aiohttp
    session encodes it, and the answer is a JSON body parsed by aiogram's own ``check_response``,
    so the client's work per request is the production one, less the HTTP round trip. Nothing
    is kept but a counter: a learner's replies go to its inbox (a context variable)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0
        self._message_ids = itertools.count(1)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        self.requests += 1
        files: dict[str, InputFile] = {}
        for value in method.model_dump(warnings=False).values():
            self.prepare_value(value, bot=bot, files=files)
        result = self._result(method)
        inbox = _inbox.get()
        if inbox is not None:
            inbox.requests += 1
            screen = self._screen(method, result)
            if screen is not None:
                inbox.screens.append(screen)
        body = self.json_dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=body)
        return response.result  # type: ignore[return-value]

    def _result(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot", "username": BOT_USERNAME}
        if isinstance(method, SendMessage | SendPhoto | SendDocument):
            text = method.text if isinstance(method, SendMessage) else method.caption
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(method.chat_id), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot"},
                "text": text or "",
            }
        return True  # edits of a chat message (the API answers True for inline ones), answers

    @staticmethod
    def _screen(method: TelegramMethod[Any], result: Any) -> Screen | None:
        if isinstance(method, SendMessage):
            return Screen(result["message_id"], method.text, _buttons(method.reply_markup))
        if isinstance(method, SendPhoto | SendDocument):
            caption = method.caption or ""
            return Screen(result["message_id"], caption, _buttons(method.reply_markup))
        if isinstance(method, EditMessageText) and method.message_id is not None:
            return Screen(method.message_id, method.text or "", _buttons(method.reply_markup))
        if isinstance(method, EditMessageReplyMarkup) and method.message_id is not None:
            return Screen(method.message_id, "", _buttons(method.reply_markup))
        return None

    async def close(self) -> None:
        pass

    async def stream_content(  # pragma: no cover - nothing is downloaded
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""  # an async generator, like the sessions aiogram ships


# --- learners ---------------------------------------------------------------------------


@dataclass
class Learner:
    """A person who only sees messages: decides the next update from the last reply."""

    user_id: int
    language: str
    rng: random.Random
    competences: Sequence[str]  # every competence code, e.g. "1.1"
    taken: set[str] = field(default_factory=set)
    screens: list[Screen] = field(default_factory=list)  # the last reply only
    typing: bool = False  # a text challenge is waiting for typed lines
    ticked: set[str] = field(default_factory=set)  # options ticked in a multiple choice
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    answered: int = 0  # challenges answered (pressed, typed or skipped)
    people: int = 1  # identities this learner has been

    def next_update(self, update_id: int) -> dict[str, Any]:
        """The update this person sends after reading the last reply."""
        screen = next((s for s in reversed(self.screens) if s.buttons), None)
        if screen is None:
            return self._message(update_id, self._typed() if self.typing else "/start")
        data = [d for _, d in screen.buttons]
        kinds = {d.partition(":")[0] for d in data}
        self.typing = False
        if "opt" in kinds or "skip" in kinds:
            return self._challenge(update_id, screen, data, kinds)
        self.ticked.clear()
        if "resume" in kinds:
            return self._press(update_id, screen, "resume")
        if "comp" in kinds or "improve" in kinds or "reset" in kinds:
            return self._competence(update_id, screen, data)
        if "area" in kinds:
            return self._area(update_id, screen, data)
        for wanted in ("again", "test"):
            if wanted in kinds:
                return self._press(update_id, screen, wanted)
        return self._press(update_id, screen, self.rng.choice(data))  # a screen we do not know

    def _challenge(
        self, update_id: int, screen: Screen, data: list[str], kinds: set[str]
    ) -> dict[str, Any]:
        options = [d for d in data if d.startswith("opt:")]
        skip = next((d for d in data if d.startswith("skip:")), None)
        submit = next((d for d in data if d.startswith("sub:")), None)
        if skip is not None and self.rng.random() < SKIP_RATE:
            self.answered += 1
            self.ticked.clear()
            return self._press(update_id, screen, skip)
        if not options:  # a text challenge: type a guess
            self.typing = True
            return self._message(update_id, self._typed())
        if submit is None:  # single choice
            self.answered += 1
            return self._press(update_id, screen, self.rng.choice(options))
        unticked = [option for option in options if option not in self.ticked]
        if unticked and len(self.ticked) < self.rng.choice((1, 2)):
            choice = self.rng.choice(unticked)
            self.ticked.add(choice)
            return self._press(update_id, screen, choice)
        self.answered += 1
        self.ticked.clear()
        return self._press(update_id, screen, submit)

    def _typed(self) -> str:
        """One typed line: also what a learner sends field after field."""
        self.answered += 1
        return self.rng.choice(GUESSES)

    def _competence(self, update_id: int, screen: Screen, data: list[str]) -> dict[str, Any]:
        fresh = [d for d in data if d.startswith("comp:") and d[5:] not in self.taken]
        if fresh:
            choice = self.rng.choice(fresh)
            self.taken.add(choice[5:])
            return self._press(update_id, screen, choice)
        for code in (d.partition(":")[2] for d in data):
            if code in self.competences:  # a retest screen: that one is taken already
                self.taken.add(code)
        back = next((d for d in data if d == "test" or d.startswith("area:")), data[-1])
        return self._press(update_id, screen, back)

    def _area(self, update_id: int, screen: Screen, data: list[str]) -> dict[str, Any]:
        areas = [d for d in data if d.startswith("area:")]
        open_areas = [
            d
            for d in areas
            if any(c.split(".")[0] == d[5:] and c not in self.taken for c in self.competences)
        ]
        if not open_areas:  # everything taken: a new person starts
            self.become_someone_else()
            return self._message(update_id, "/start")
        return self._press(update_id, screen, self.rng.choice(open_areas))

    def become_someone_else(self) -> None:
        self.user_id += 10 * MAX_LEARNERS
        self.people += 1
        self.taken.clear()
        self.screens = []
        self.typing = False
        self.ticked.clear()

    # The JSON Telegram would post.

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": f"Learner{self.user_id % 10000}",
            "language_code": self.language,
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": "Learner"}

    def _message(self, update_id: int, text_: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
            "text": text_,
        }
        if text_.startswith("/"):
            command = len(text_.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": command}]
        return {"update_id": update_id, "message": message}

    def _press(self, update_id: int, screen: Screen, data: str) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": self._user(),
                "chat_instance": str(self.user_id),
                "data": data,
                "message": {
                    "message_id": screen.message_id,
                    "date": int(time.time()),
                    "chat": self._chat(),
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot"},
                    "text": screen.text or "…",
                },
            },
        }


# --- one run: learners against one dispatcher ----------------------------------------------


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """Measures of one dispatcher under the learners."""

    name: str
    database: str
    learners: int
    updates: int
    elapsed: float = 0.0
    cpu: float = 0.0
    latencies: Any = None  # numpy array of seconds handling each measured update
    waits: Any = None  # numpy array of seconds each waited for its turn (MAX_CONCURRENT_UPDATES)
    errors: int = 0  # exceptions out of feed_update, plus handler errors the bot apologised for
    unanswered: int = 0  # updates that got no request back at all
    answered: int = 0  # challenges the learners answered
    people: int = 0  # identities the learners went through
    requests: int = 0  # Bot API requests made
    rss: list[float] = field(default_factory=list)  # MB after each tenth of the run
    stored: dict[str, int] = field(default_factory=dict)  # rows in the database afterwards

    def summary(self) -> dict[str, Any]:
        latencies = self.latencies if self.latencies is not None else np.zeros(1)
        waits = self.waits if self.waits is not None else np.zeros(1)
        p50, p99 = np.percentile(latencies, [50, 99]) * 1000
        wait50, wait99 = np.percentile(waits, [50, 99]) * 1000
        total99 = np.percentile(latencies + waits, 99) * 1000
        return {
            "bot": self.name,
            "database": self.database,
            "learners": self.learners,
            "updates": self.updates,
            "elapsed_s": round(self.elapsed, 2),
            "updates_per_s": round(self.updates / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": round(float(p50), 2),
            "p99_ms": round(float(p99), 2),
            "max_ms": round(float(latencies.max()) * 1000, 2),
            "wait_p50_ms": round(float(wait50), 2),
            "wait_p99_ms": round(float(wait99), 2),
            "with_wait_p99_ms": round(float(total99), 2),
            "errors": self.errors,
            "unanswered": self.unanswered,
            "challenges_answered": self.answered,
            "people": self.people,
            "bot_api_requests": self.requests,
            "cpu_share": round(self.cpu / self.elapsed, 2) if self.elapsed else 0.0,
            "cpu_ms_per_update": round(1000 * self.cpu / self.updates, 2),
            "rss_mb": [round(value, 1) for value in self.rss],
            "rss_start_mb": round(self.rss[0], 1) if self.rss else 0.0,
            "rss_end_mb": round(self.rss[-1], 1) if self.rss else 0.0,
            "rss_growth_mb": round(self.rss[-1] - self.rss[0], 1) if self.rss else 0.0,
            "stored": self.stored,
        }


async def drive(
    run: Run,
    feed: Callable[[Update], Awaitable[Any]],
    bot: Bot,
    competences: Sequence[str],
    first_update: int,
    first_user: int,
    warmup: int,
    think: float,
    seed: int,
) -> None:
    """``run.learners`` learners, all in flight, until ``warmup + run.updates`` updates are
    handled; the first ``warmup`` are not measured."""
    total = warmup + run.updates
    taken = itertools.count()
    update_ids = itertools.count(first_update)
    latencies = np.zeros(run.updates)
    waits = np.zeros(run.updates)
    checkpoints = {max(1, run.updates * tenth // 10): tenth for tenth in range(1, 11)}
    done = 0
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    learners = [
        Learner(
            user_id=first_user + index,
            language=LANGUAGES[index % len(LANGUAGES)],
            rng=random.Random(seed * 100_003 + index),
            competences=competences,
        )
        for index in range(run.learners)
    ]

    async def learn(learner: Learner) -> None:
        nonlocal done, started, cpu_started
        if think > 0:  # people arrive over a while, not all in the same millisecond
            await asyncio.sleep(learner.rng.uniform(0, think))
        while (index := next(taken)) < total:
            if index == warmup:  # the first measured update
                started, cpu_started = time.perf_counter(), cpu_seconds()
            payload = learner.next_update(next(update_ids))
            update = Update.model_validate(payload, context={"bot": bot})
            inbox = Inbox()
            token = _inbox.set(inbox)
            WAITED.set(0.0)
            begin = time.perf_counter()
            try:
                await feed(update)
            except Exception:  # counted, and the learner starts over
                run.errors += 1
                log.exception("update %s raised", update.update_id)
            finally:
                elapsed = time.perf_counter() - begin
                _inbox.reset(token)
            learner.screens = inbox.screens
            if index >= warmup:  # the handling, and apart the wait for a turn before it
                waited = WAITED.get()
                latencies[index - warmup] = elapsed - waited
                waits[index - warmup] = waited
                if inbox.requests == 0:
                    run.unanswered += 1
                done += 1
                if done in checkpoints:
                    run.rss.append(rss_mb())
            if think > 0:
                await asyncio.sleep(learner.rng.expovariate(1 / think))

    await asyncio.gather(*(learn(learner) for learner in learners))
    run.elapsed = time.perf_counter() - started
    run.cpu = cpu_seconds() - cpu_started
    run.latencies = latencies
    run.waits = waits
    run.answered = sum(learner.answered for learner in learners)
    run.people = sum(learner.people for learner in learners)


# --- the two bots -------------------------------------------------------------------------


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


async def _first_ids(engine: AsyncEngine) -> tuple[int, int]:
    """Update and user ids above those already stored (the bot handles an update id once)."""
    from storage.models import ProcessedUpdateRow, UserRow

    async with engine.connect() as connection:
        last_update = await connection.scalar(select(func.max(ProcessedUpdateRow.update_id)))
        last_user = await connection.scalar(select(func.max(UserRow.id)))
    return int(last_update or 0) + 1, max(FIRST_USER, int(last_user or 0) + 1)


async def _stored(engine: AsyncEngine) -> dict[str, int]:
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


async def run_pixbot(
    database: Database,
    learners: int,
    updates: int,
    warmup: int,
    think: float,
    seed: int,
) -> Run:
    """The real bot, built as ``pixbot run`` builds it, on ``database``."""
    from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
    from bot.adapters.telegram.metrics import Metrics, RequestMetrics
    from bot.bootstrap import build_conversation
    from bot.settings import Settings
    from storage.database import session_factory, upgrade

    await database.create()
    engine = database.engine()
    bot = create_bot(TOKEN, session=LocalSession())
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
        )
        first_update, first_user = await _first_ids(engine)
        run = Run("pixbot", database.label, learners, updates)

        async def feed(update: Update) -> Any:
            return await dispatcher.feed_update(bot, update)

        competences = sorted(conversation.bank.competences)
        freeze_startup_objects()
        stop = asyncio.Event()
        trimming = asyncio.create_task(trim_loop(stop))
        try:
            await drive(run, feed, bot, competences, first_update, first_user, warmup, think, seed)
        finally:
            stop.set()
            await trimming
        handled_errors = metrics.registry.get_sample_value("pixbot_errors_total") or 0.0
        run.errors += int(handled_errors)
        run.requests = int(bot.session.requests) if isinstance(bot.session, LocalSession) else 0
        run.stored = await _stored(engine)
        return run
    finally:
        await bot.session.close()
        await engine.dispose()
        await database.drop()


async def run_echo(
    label: str, learners: int, updates: int, warmup: int, think: float, seed: int
) -> Run:
    from bot.adapters.telegram.dispatcher import create_bot

    session = LocalSession()
    bot = create_bot(TOKEN, session=session)
    dispatcher = echo_dispatcher()
    run = Run("echo", label, learners, updates)

    async def feed(update: Update) -> Any:
        return await dispatcher.feed_update(bot, update)

    try:
        await drive(run, feed, bot, (), 1, FIRST_USER, warmup, think, seed)
    finally:
        await bot.session.close()
    run.requests = session.requests
    return run


async def run_durable_echo(
    database: Database, learners: int, updates: int, warmup: int, think: float, seed: int
) -> Run:
    from bot.adapters.telegram.dispatcher import create_bot
    from storage.database import session_factory, upgrade

    await database.create()
    engine = database.engine()
    session = LocalSession()
    bot = create_bot(TOKEN, session=session)
    try:
        await upgrade(engine)
        dispatcher = durable_echo_dispatcher(session_factory(engine))
        run = Run("echo+db", database.label, learners, updates)
        first_update, _ = await _first_ids(engine)

        async def feed(update: Update) -> Any:
            return await dispatcher.feed_update(bot, update)

        await drive(run, feed, bot, (), first_update, FIRST_USER, warmup, think, seed)
        run.requests = session.requests
        return run
    finally:
        await bot.session.close()
        await engine.dispose()
        await database.drop()


async def bench_updates(
    learners: int,
    updates: int,
    database_urls: Sequence[str] = (SQLITE,),
    warmup: int | None = None,
    think: float = 0.0,
    seed: int = 1,
) -> dict[str, Any]:
    """For each database: pixbot, then the echo ceiling right after it (the machine's load
    changes; the share compares two runs made under the same load), then the durable echo:
    the echo bot claiming each update in the database first, the floor of any bot that
    handles a redelivered update once."""
    warmup = learners if warmup is None else warmup
    runs: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    for url in database_urls:
        database = Database.open(url)
        pixbot = (await run_pixbot(database, learners, updates, warmup, think, seed)).summary()
        echo = (await run_echo(database.label, learners, updates, warmup, think, seed)).summary()
        floor = await run_durable_echo(Database.open(url), learners, updates, warmup, think, seed)
        durable = floor.summary()
        runs += [pixbot, echo, durable]
        comparisons.append(_compare(pixbot, echo, durable, think))
    return {
        "learners": learners,
        "updates": updates,
        "warmup": warmup,
        "think_s": think,
        "seed": seed,
        "cpus": os.cpu_count(),
        "load_before": [round(value, 2) for value in load_before],
        "load_after": [round(value, 2) for value in os.getloadavg()],
        "runs": runs,
        "comparisons": comparisons,
    }


def _compare(
    pixbot: dict[str, Any], echo: dict[str, Any], durable: dict[str, Any], think: float
) -> dict[str, Any]:
    """The goals; throughput is compared only without think time (with it, both bots handle
    what the learners send, and the share says nothing), memory only over a run as long as
    the goal's (a short one ends while bounded caches are still filling)."""

    def share(run: dict[str, Any]) -> float:
        return run["updates_per_s"] / echo["updates_per_s"] if echo["updates_per_s"] else 0.0

    return {
        "database": pixbot["database"],
        "throughput_share": round(share(pixbot), 4),
        "durable_echo_share": round(share(durable), 4),
        "goals": {
            "throughput_half_of_echo": share(pixbot) >= GOAL_SHARE if think == 0 else None,
            "p99_under_50_ms": pixbot["p99_ms"] < GOAL_P99_MS,
            "memory_flat": (
                pixbot["rss_growth_mb"] <= GOAL_GROWTH_MB
                if pixbot["updates"] >= GOAL_MEMORY_UPDATES
                else None
            ),
            "no_errors": pixbot["errors"] == 0 and pixbot["unanswered"] == 0,
        },
    }


def format_table(result: dict[str, Any]) -> str:
    think = f", think {result['think_s']:g} s" if result["think_s"] else ", no think time"
    lines = [
        f"updates: {result['learners']} learners, {result['updates']} updates measured "
        f"(after {result['warmup']} warm-up){think}; load "
        + " ".join(f"{value:.2f}" for value in result["load_before"])
        + f" on {result['cpus']} CPUs",
        f"{'database':<11}{'bot':<7}{'learners':>9}{'updates':>9}{'updates/s':>11}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'queued p99':>11}{'errors':>8}{'no reply':>9}"
        f"{'CPU ms/upd':>11}"
        f"{'RSS MB start→end':>18}",
    ]
    for run in result["runs"]:
        rss = f"{run['rss_start_mb']:.0f} → {run['rss_end_mb']:.0f}"
        lines.append(
            f"{run['database']:<11}{run['bot']:<7}{run['learners']:>9}{run['updates']:>9}"
            f"{run['updates_per_s']:>11.1f}{run['p50_ms']:>9.1f}{run['p99_ms']:>9.1f}"
            f"{run['wait_p99_ms']:>11.1f}{run['errors']:>8}{run['unanswered']:>9}"
            f"{run['cpu_ms_per_update']:>11.2f}"
            f"{rss:>18}"
        )
    for comparison in result["comparisons"]:
        goals = comparison["goals"]
        marks = ", ".join(
            f"{name.replace('_', ' ')}: "
            + (UNMEASURED[name] if met is None else "met" if met else "NOT met")
            for name, met in goals.items()
        )
        lines.append(
            f"{comparison['database']}: pixbot/echo throughput = "
            f"{100 * comparison['throughput_share']:.1f} % (durable echo/echo "
            f"{100 * comparison['durable_echo_share']:.1f} %); {marks}"
        )
    if not result["think_s"]:
        lines.append(
            "no think time: each learner always has one update in flight, so updates queue "
            "(for their turn, or in the event loop for bots without a limit) about learners ÷ "
            "updates/s (Little's law); p50/p99 are the handling, queued p99 the wait for a turn; "
            "--think S measures them at a pace"
        )
    return "\n".join(lines)


def run_updates(
    learners: int,
    updates: int,
    database_urls: Sequence[str] | None,
    as_json: bool,
    warmup: int | None = None,
    think: float = 0.0,
    seed: int = 1,
) -> int:
    """The CLI entry: prints the table (or JSON); 0 when every update was handled without
    error, 1 otherwise, 2 on misuse. Goals are reported, not enforced (a shared machine)."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    if not 1 <= learners <= MAX_LEARNERS or updates < learners:
        print(f"--learners from 1 to {MAX_LEARNERS}, --updates ≥ --learners", file=sys.stderr)
        return 2
    if (warmup is not None and warmup < 0) or think < 0:
        print("--warmup and --think cannot be negative", file=sys.stderr)
        return 2
    urls = list(database_urls or [SQLITE])
    try:
        result = asyncio.run(bench_updates(learners, updates, urls, warmup, think, seed))
    except (OSError, ValueError) as error:
        print(f"pixbot bench updates: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if as_json else format_table(result))
    clean = all(run["errors"] == 0 and run["unanswered"] == 0 for run in result["runs"])
    return 0 if clean else 1
