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

``--flooders N`` measures issue #14's scenario instead: N people each send ``FLOOD_UPDATES``
updates in ``FLOOD_SECONDS`` (presses of their live buttons, /start and typed text, each sent
without waiting for the previous reply, as a script would) while the learners answer at their
pace, and the Bot API answers every ``THROTTLE_EVERY``-th message or edit with a 429
(``retry_after`` 1 s, raised by aiogram's own ``check_response``). The bot is the real one with
its shipped defaults (real time, limiter and flood guard). Reported: the learners' latency
(``feed_update``'s wall time: handling plus every wait), replies lost, messages to a flooder's
chat beyond Telegram's per-chat rate, the flooders' updates handled and dropped, 429s, errors.
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
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

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
from bot.adapters.telegram.replies import RATE_WAITED
from bot.core.flood import FloodGuard, Verdict
from bot.delivery.limiter import RateLimiter
from bot.memory import freeze_startup_objects, rss_mb, trim_loop

if TYPE_CHECKING:
    from bot.adapters.telegram.metrics import Metrics

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
FLOOD_UPDATES: Final = 400  # updates each flooder sends...
FLOOD_SECONDS: Final = 4.0  # ...in this long
FLOOD_PRESS: Final = 0.6  # share of a flooder's updates that press a live button
FLOOD_START: Final = 0.2  # share that send /start (the rest type a line)
FLOODER_OFFSET: Final = 5 * MAX_LEARNERS  # flooders' ids: apart from every learner's people
THROTTLE_EVERY: Final = 5  # in a flood run, every 5th message or edit is answered 429...
RETRY_AFTER: Final = 1  # ...retry after this many seconds
CHAT_BURST: Final = 3  # Telegram's per-chat rate: at most 3 messages within any...
CHAT_WINDOW: Final = 3.0  # ...3 seconds (1/s sustained)
GOAL_FLOOD_P99_MS: Final = 250.0  # learners' handling plus wait while someone floods
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
    throttled: int = 0  # 429s answered
    throttled_s: float = 0.0  # seconds from each 429 to the next request (its retry)
    throttled_at: float | None = None  # when the last 429 was answered, until the retry
    slept: float = 0.0  # seconds the bot slept for it (the limiter's waits, a 429's pause)


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


SENDS: Final = (SendMessage, SendPhoto, SendDocument, EditMessageText, EditMessageReplyMarkup)
NEW_MESSAGES: Final = (SendMessage, SendPhoto, SendDocument)


def _plain(value: Any) -> str:
    """A request's value in its fingerprint: a file by its name (a retry makes a new one)."""
    if isinstance(value, InputFile):
        return f"file:{value.filename}"
    return repr(value)


def beyond_rate(times: Sequence[float]) -> int:
    """Messages beyond Telegram's per-chat rate: each one that is the last of CHAT_BURST + 1
    consecutive messages sent within less than CHAT_WINDOW seconds."""
    return sum(
        1
        for index in range(CHAT_BURST, len(times))
        if times[index] - times[index - CHAT_BURST] < CHAT_WINDOW
    )


def tightest_span(times: Sequence[float]) -> float | None:
    """The shortest time over which CHAT_BURST + 1 consecutive messages went (None: fewer)."""
    spans = [times[index] - times[index - CHAT_BURST] for index in range(CHAT_BURST, len(times))]
    return min(spans) if spans else None


@dataclass
class Ledger:
    """What a flood run's Bot API saw of the messages and edits sent to chats: which were
    attempted and which arrived (a request and its retries have the same fingerprint), and when
    each new message arrived in each chat."""

    throttle_every: int = 0  # every n-th message or edit answered 429 (0: none)
    sends: int = 0  # messages and edits requested, 429s included
    throttled: int = 0  # 429s answered
    attempted: set[tuple[int, str]] = field(default_factory=set)  # (chat, fingerprint)
    delivered: set[tuple[int, str]] = field(default_factory=set)
    messages: defaultdict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    edits: Counter[int] = field(default_factory=Counter)  # edits that arrived, per chat
    first: float = 0.0  # when the first message or edit was requested, and the last
    last: float = 0.0

    def per_second(self) -> float:
        """Messages and edits requested per second, 429s included."""
        return self.sends / (self.last - self.first) if self.last > self.first else 0.0

    def lost(self, chats: Callable[[int], bool] = lambda chat: True) -> int:
        """Messages and edits attempted in ``chats`` that never arrived."""
        return sum(1 for chat, _ in self.attempted - self.delivered if chats(chat))


class LocalSession(BaseSession):
    """A Bot API session without a network. Each request is encoded the way aiogram's aiohttp
    session encodes it, and the answer is a JSON body parsed by aiogram's own ``check_response``,
    so the client's work per request is the production one, less the HTTP round trip. Nothing
    is kept but a counter: a learner's replies go to its inbox (a context variable). Given a
    ``ledger`` (a flood run), it also answers every ``ledger.throttle_every``-th message or edit
    with a 429 and records what arrived where."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        super().__init__()
        self.requests = 0
        self.ledger = ledger
        self._message_ids = itertools.count(1)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        now = time.monotonic()
        self.requests += 1
        inbox = _inbox.get()
        if inbox is not None and inbox.throttled_at is not None:  # the retry of a 429
            inbox.throttled_s += now - inbox.throttled_at
            inbox.throttled_at = None
        files: dict[str, InputFile] = {}
        dump = method.model_dump(warnings=False)
        for value in dump.values():
            self.prepare_value(value, bot=bot, files=files)
        sent: tuple[int, str] | None = None
        if self.ledger is not None and isinstance(method, SENDS) and method.chat_id is not None:
            sent = self._attempt(bot, self.ledger, method, dump, now)
        result = self._result(method)
        if inbox is not None:
            inbox.requests += 1
            screen = self._screen(method, result)
            if screen is not None:
                inbox.screens.append(screen)
        body = self.json_dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=body)
        if self.ledger is not None and sent is not None:
            chat_id = sent[0]
            self.ledger.delivered.add(sent)
            if isinstance(method, NEW_MESSAGES):
                self.ledger.messages[chat_id].append(now)
            else:
                self.ledger.edits[chat_id] += 1
        return response.result  # type: ignore[return-value]

    def _attempt(
        self,
        bot: Bot,
        ledger: Ledger,
        method: TelegramMethod[Any],
        dump: dict[str, Any],
        now: float,
    ) -> tuple[int, str]:
        """Record a message or edit; raise aiogram's TelegramRetryAfter when it is a 429's
        turn (parsed from the Bot API's error body, as from the network)."""
        chat_id = int(dump["chat_id"])
        fingerprint = method.__api_method__ + json.dumps(dump, sort_keys=True, default=_plain)
        key = (chat_id, fingerprint)
        ledger.attempted.add(key)
        ledger.sends += 1
        ledger.first = ledger.first or now
        ledger.last = now
        if ledger.throttle_every and ledger.sends % ledger.throttle_every == 0:
            ledger.throttled += 1
            inbox = _inbox.get()
            if inbox is not None:
                inbox.throttled += 1
                inbox.throttled_at = now
            body = self.json_dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {RETRY_AFTER}",
                    "parameters": {"retry_after": RETRY_AFTER},
                }
            )
            self.check_response(bot=bot, method=method, status_code=429, content=body)
            raise AssertionError("check_response accepted a 429")  # pragma: no cover
        return key

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


class Flooder(Learner):
    """A script, a stuck key or a child drumming on the keyboard: sends without reading, many
    updates a second, pressing a button of the last reply that arrived, sending /start or
    typing a line."""

    def flood_update(self, update_id: int) -> dict[str, Any]:
        screen = next((s for s in reversed(self.screens) if s.buttons), None)
        roll = self.rng.random()
        if screen is not None and roll < FLOOD_PRESS:
            return self._press(update_id, screen, self.rng.choice(screen.buttons)[1])
        if roll < FLOOD_PRESS + FLOOD_START:
            return self._message(update_id, "/start")
        return self._message(update_id, self.rng.choice(GUESSES))


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
            if index >= warmup:  # the handling, and apart the waits (a turn, Telegram's rates)
                waited = WAITED.get() + RATE_WAITED.get()
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
        first_update, first_user = await _first_ids(engine)
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


async def run_pixbot(
    database: Database,
    learners: int,
    updates: int,
    warmup: int,
    think: float,
    seed: int,
) -> Run:
    """The real bot, built as ``pixbot run`` builds it, on ``database``. With no think time each
    learner is a stream of updates, not a person: Telegram's rates and the flood guard, which
    would then measure Telegram (1 message a second per chat, 25 a second in all), are lifted so
    the run measures the bot's own cost; at a pace (``think``), they apply as shipped."""
    session = LocalSession()
    unlimited: dict[str, Any] = {}
    if think <= 0:
        unlimited = {
            "limiter": RateLimiter(1e9, chat_interval=0.0, group_per_minute=10**9),
            "flood": FloodGuard(rate=1e9, burst=10**9, backlog=10**9),
        }
    async with pixbot(database, session, **unlimited) as app:
        run = Run("pixbot", database.label, learners, updates)
        await drive(
            run,
            app.feed,
            app.bot,
            app.competences,
            app.first_update,
            app.first_user,
            warmup,
            think,
            seed,
        )
        handled_errors = app.metrics.registry.get_sample_value("pixbot_errors_total") or 0.0
        run.errors += int(handled_errors)
        run.requests = session.requests
        run.stored = await _stored(app.engine)
        return run


# --- the flood: a few people flood while the learners answer --------------------------------


class CountingGuard(FloodGuard):
    """The shipped flood guard, with its defaults, counting its verdicts per person."""

    def __init__(self) -> None:
        super().__init__()
        self.verdicts: Counter[tuple[int, Verdict]] = Counter()

    def admit(self, person_id: int, now: float) -> Verdict:
        verdict = super().admit(person_id, now)
        self.verdicts[person_id, verdict] += 1
        return verdict

    def count(self, people: Callable[[int], bool], *verdicts: Verdict) -> int:
        return sum(
            count
            for (person_id, verdict), count in self.verdicts.items()
            if verdict in verdicts and people(person_id)
        )


class Tally(logging.Handler):
    """Counts what the bot logs while a run goes: errors, and replies it gave up on."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors = 0
        self.undelivered = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == __name__:  # the bench's own lines: counted where they are raised
            return
        if record.levelno >= logging.ERROR:
            self.errors += 1
        elif str(record.msg).startswith("a reply to chat"):  # Replies.deliver gave up
            self.undelivered += 1


async def timed_sleep(seconds: float) -> None:
    """asyncio.sleep, the time slept added to the inbox of the update it was slept for."""
    begin = time.perf_counter()
    try:
        await asyncio.sleep(seconds)
    finally:
        inbox = _inbox.get()
        if inbox is not None:
            inbox.slept += time.perf_counter() - begin


def _percentiles(values: Any, *quantiles: float) -> list[float]:
    """Milliseconds; 0 for an empty array."""
    if len(values) == 0:
        return [0.0 for _ in quantiles]
    return [round(float(value) * 1000, 1) for value in np.percentile(values, list(quantiles))]


@dataclass
class FloodRun:
    """Measures of the flood scenario on one database."""

    database: str
    learners: int
    updates: int  # learners' updates measured
    flooders: int
    flood_updates: int  # each flooder's
    flood_seconds: float
    ledger: Ledger
    guard: CountingGuard
    flooder_ids: set[int] = field(default_factory=set)  # their private chats' ids too
    elapsed: float = 0.0  # from the first measured learner update to the last one's end
    flood_sent: float = 0.0  # seconds the flooders took to send their updates
    flood_elapsed: float = 0.0  # from the flood's first update to its last one handled
    latencies: Any = None  # numpy: seconds of feed_update per measured learner update
    waits: Any = None  # of which waiting for a turn (MAX_CONCURRENT_UPDATES)
    throttled: Any = None  # of which from a 429 to its retry
    slept: Any = None  # of which asleep in the limiter (or a 429's pause before an edit)
    during: Any = None  # numpy bool: the update arrived while the flood was on
    met_429: int = 0  # learner updates one of whose requests was answered 429
    errors: int = 0  # raised from feed_update or logged at ERROR
    unanswered: int = 0  # learner updates that got no request back at all
    undelivered: int = 0  # replies the bot logged it gave up on
    answered: int = 0  # challenges the learners answered
    people: int = 0

    def flooder(self, person_or_chat: int) -> bool:
        return person_or_chat in self.flooder_ids

    def learner(self, person_or_chat: int) -> bool:
        return person_or_chat not in self.flooder_ids

    def summary(self) -> dict[str, Any]:
        ledger = self.ledger
        latencies = self.latencies if self.latencies is not None else np.zeros(0)
        waits = self.waits if self.waits is not None else np.zeros(0)
        throttled = self.throttled if self.throttled is not None else np.zeros(0)
        slept = self.slept if self.slept is not None else np.zeros(0)
        during = self.during if self.during is not None else np.zeros(0, dtype=bool)
        p50, p99 = _percentiles(latencies, 50, 99)
        flooded = sorted(t for chat in self.flooder_ids for t in ledger.messages.get(chat, []))
        flood_spans = [tightest_span(ledger.messages.get(chat, [])) for chat in self.flooder_ids]
        learner_chats = [chat for chat in ledger.messages if self.learner(chat)]
        learner_spans = [tightest_span(ledger.messages[chat]) for chat in learner_chats]
        summary = {
            "bot": "pixbot",
            "database": self.database,
            "learners": self.learners,
            "updates": self.updates,
            "flooders": self.flooders,
            "flood_updates_each": self.flood_updates,
            "flood_seconds": self.flood_seconds,
            "elapsed_s": round(self.elapsed, 2),
            "updates_per_s": round(self.updates / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": p50,
            "p99_ms": p99,
            "max_ms": round(float(latencies.max()) * 1000, 1) if len(latencies) else 0.0,
            "wait_p99_ms": _percentiles(waits, 99)[0],
            "without_429_p99_ms": _percentiles(latencies - throttled, 99)[0],
            "rate_wait_p99_ms": _percentiles(slept, 99)[0],
            "handling_p99_ms": _percentiles(latencies - waits - slept, 99)[0],
            "met_429": self.met_429,
            "during_flood_updates": int(during.sum()),
            "during_flood_p99_ms": _percentiles(latencies[during], 99)[0],
            "flood_sent_s": round(self.flood_sent, 2),
            "flood_elapsed_s": round(self.flood_elapsed, 2),
            "sends": ledger.sends,
            "sends_per_s": round(ledger.per_second(), 1),
            "throttled_429": ledger.throttled,
            "replies_attempted": len(ledger.attempted),
            "replies_delivered": len(ledger.delivered),
            "replies_lost": ledger.lost(),
            "replies_lost_learners": ledger.lost(self.learner),
            "replies_lost_flooders": ledger.lost(self.flooder),
            "undelivered_logged": self.undelivered,
            "flooder_handled": self.guard.count(self.flooder, Verdict.HANDLE),
            "flooder_dropped": self.guard.count(self.flooder, Verdict.DROP, Verdict.DROP_AND_TELL),
            "flooder_told": self.guard.count(self.flooder, Verdict.DROP_AND_TELL),
            "flooder_messages": len(flooded),
            "flooder_edits": sum(ledger.edits[chat] for chat in self.flooder_ids),
            "flooder_beyond_rate": sum(
                beyond_rate(ledger.messages.get(chat, [])) for chat in self.flooder_ids
            ),
            "flooder_tightest_span_s": _tightest(flood_spans),
            "flooder_messages_span_s": round(flooded[-1] - flooded[0], 2) if flooded else 0.0,
            "learners_dropped": self.guard.count(
                self.learner, Verdict.DROP, Verdict.DROP_AND_TELL
            ),
            "learners_beyond_rate": sum(beyond_rate(ledger.messages[c]) for c in learner_chats),
            "learners_messages": sum(len(ledger.messages[chat]) for chat in learner_chats),
            "learners_edits": sum(n for chat, n in ledger.edits.items() if self.learner(chat)),
            "learners_tightest_span_s": _tightest(learner_spans),
            "errors": self.errors,
            "unanswered": self.unanswered,
            "challenges_answered": self.answered,
            "people": self.people,
        }
        summary["goals"] = _flood_goals(summary)
        return summary


def _tightest(spans: Sequence[float | None]) -> float | None:
    known = [span for span in spans if span is not None]
    return round(min(known), 3) if known else None


def _flood_goals(flood: dict[str, Any]) -> dict[str, bool | None]:
    """Issue #14's goals for the flood scenario."""
    return {
        "learners_p99_under_250_ms": flood["p99_ms"] < GOAL_FLOOD_P99_MS,
        "no_replies_lost": flood["replies_lost"] == 0 and flood["undelivered_logged"] == 0,
        "flooder_within_chat_rate": flood["flooder_beyond_rate"] == 0,
        "no_errors": flood["errors"] == 0 and flood["unanswered"] == 0,
    }


async def drive_flood(run: FloodRun, app: Pixbot, warmup: int, think: float, seed: int) -> None:
    """The learners as in ``drive`` (their latency here is feed_update's whole wall time), and
    once the first measured learner update starts, each flooder sends ``run.flood_updates``
    updates evenly over ``run.flood_seconds``, each without waiting for the others."""
    total = warmup + run.updates
    taken = itertools.count()
    update_ids = itertools.count(app.first_update)
    latencies = np.zeros(run.updates)
    waits = np.zeros(run.updates)
    throttled = np.zeros(run.updates)
    slept = np.zeros(run.updates)
    began = np.zeros(run.updates)
    measuring = asyncio.Event()
    started = ended = 0.0
    learners = [
        Learner(
            user_id=app.first_user + index,
            language=LANGUAGES[index % len(LANGUAGES)],
            rng=random.Random(seed * 100_003 + index),
            competences=app.competences,
        )
        for index in range(run.learners)
    ]
    flooders = [
        Flooder(
            user_id=app.first_user + FLOODER_OFFSET + index,
            language="en",
            rng=random.Random(seed * 100_019 + index),
            competences=app.competences,
        )
        for index in range(run.flooders)
    ]
    run.flooder_ids = {flooder.user_id for flooder in flooders}

    async def learn(learner: Learner) -> None:
        nonlocal started, ended
        if think > 0:
            await asyncio.sleep(learner.rng.uniform(0, think))
        while (index := next(taken)) < total:
            if index == warmup:  # the first measured update: the flood starts
                started = time.perf_counter()
                measuring.set()
            update = Update.model_validate(
                learner.next_update(next(update_ids)), context={"bot": app.bot}
            )
            inbox = Inbox()
            token = _inbox.set(inbox)
            WAITED.set(0.0)
            begin = time.perf_counter()
            try:
                await app.feed(update)
            except Exception:
                run.errors += 1
                log.exception("update %s raised", update.update_id)
            finally:
                elapsed = time.perf_counter() - begin
                _inbox.reset(token)
            learner.screens = inbox.screens
            if index >= warmup:
                at = index - warmup
                latencies[at], waits[at] = elapsed, WAITED.get()
                throttled[at], slept[at], began[at] = inbox.throttled_s, inbox.slept, begin
                run.met_429 += inbox.throttled > 0
                run.unanswered += inbox.requests == 0
                ended = max(ended, begin + elapsed)
            if think > 0:
                await asyncio.sleep(learner.rng.expovariate(1 / think))

    async def send(flooder: Flooder, payload: dict[str, Any]) -> None:
        update = Update.model_validate(payload, context={"bot": app.bot})
        inbox = Inbox()
        _inbox.set(inbox)  # this task's own context
        try:
            await app.feed(update)
        except Exception:
            run.errors += 1
            log.exception("update %s raised", update.update_id)
        if inbox.screens:
            flooder.screens = inbox.screens

    async def flood(flooder: Flooder) -> tuple[float, float, float]:
        """(started, sent, ended): the flood's perf_counter times."""
        await measuring.wait()
        begin = time.perf_counter()
        step = run.flood_seconds / run.flood_updates
        tasks: list[asyncio.Task[None]] = []
        for number in range(run.flood_updates):
            delay = begin + number * step - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            payload = flooder.flood_update(next(update_ids))
            tasks.append(asyncio.create_task(send(flooder, payload)))
        sent = time.perf_counter()
        await asyncio.gather(*tasks)
        return begin, sent, time.perf_counter()

    floods = asyncio.gather(*(flood(flooder) for flooder in flooders))
    await asyncio.gather(*(learn(learner) for learner in learners))
    times = await floods
    run.elapsed = ended - started
    if times:
        flood_began = min(begin for begin, _, _ in times)
        flood_ended = max(end for _, _, end in times)
        run.flood_sent = max(sent for _, sent, _ in times) - flood_began
        run.flood_elapsed = flood_ended - flood_began
        run.during = (began >= flood_began) & (began <= flood_ended)
    run.latencies, run.waits, run.throttled, run.slept = latencies, waits, throttled, slept
    run.answered = sum(learner.answered for learner in learners)
    run.people = sum(learner.people for learner in learners)


async def run_flood(
    database: Database,
    learners: int,
    flooders: int,
    updates: int,
    warmup: int,
    think: float,
    seed: int,
    flood_updates: int = FLOOD_UPDATES,
    flood_seconds: float = FLOOD_SECONDS,
    throttle_every: int = THROTTLE_EVERY,
) -> FloodRun:
    """The flood scenario on the real bot, its Bot API answering every ``throttle_every``-th
    message or edit with a 429 (0: none)."""
    ledger = Ledger(throttle_every=throttle_every)
    guard = CountingGuard()
    run = FloodRun(
        database.label, learners, updates, flooders, flood_updates, flood_seconds, ledger, guard
    )
    tally = Tally()
    root = logging.getLogger()
    root.addHandler(tally)
    try:
        async with pixbot(database, LocalSession(ledger), guard, timed_sleep) as app:
            await drive_flood(run, app, warmup, think, seed)
    finally:
        root.removeHandler(tally)
    run.errors += tally.errors
    run.undelivered = tally.undelivered
    return run


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
    flooders: int = 0,
    flood_updates: int = FLOOD_UPDATES,
    flood_seconds: float = FLOOD_SECONDS,
    throttle_every: int = THROTTLE_EVERY,
) -> dict[str, Any]:
    """For each database: pixbot, then the echo ceiling right after it (the machine's load
    changes; the share compares two runs made under the same load), then the durable echo:
    the echo bot claiming each update in the database first, the floor of any bot that
    handles a redelivered update once. With ``flooders``: the flood scenario instead, once
    per database (``floods``), every ``throttle_every``-th message or edit answered 429."""
    warmup = learners if warmup is None else warmup
    runs: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    floods: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    for url in database_urls:
        if flooders > 0:
            flood = await run_flood(
                Database.open(url),
                learners,
                flooders,
                updates,
                warmup,
                think,
                seed,
                flood_updates,
                flood_seconds,
                throttle_every,
            )
            floods.append(flood.summary())
            continue
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
        "flooders": flooders,
        "flood_updates": flood_updates if flooders else 0,
        "flood_seconds": flood_seconds if flooders else 0.0,
        "throttle_every": throttle_every if flooders else 0,
        "floods": floods,
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


def _marks(goals: dict[str, bool | None]) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')}: "
        + (UNMEASURED[name] if met is None else "met" if met else "NOT met")
        for name, met in goals.items()
    )


def format_flood_table(result: dict[str, Any]) -> str:
    think = f"think {result['think_s']:g} s" if result["think_s"] else "no think time"
    floods = result["floods"]
    every = result["throttle_every"]
    throttled = (
        f"every {every}th message or edit answered 429 (retry after {RETRY_AFTER} s)"
        if every
        else "no 429"
    )
    lines = [
        f"flood: {result['flooders']} flooder(s) × {result['flood_updates']} updates in "
        f"{result['flood_seconds']:g} s while {result['learners']} learners answer ({think}); "
        f"{result['updates']} learner updates measured (after {result['warmup']} warm-up); "
        f"{throttled}; load "
        + " ".join(f"{value:.2f}" for value in result["load_before"])
        + f" on {result['cpus']} CPUs",
        "learners (ms)",
        f"{'database':<11}{'learners':>9}{'updates':>9}{'upd/s':>7}{'p50':>8}{'p99':>8}"
        f"{'flood p99':>11}{'no-429 p99':>12}{'handling p99':>14}{'turn p99':>10}"
        f"{'rate wait p99':>15}{'met 429':>9}",
    ]
    for flood in floods:
        lines.append(
            f"{flood['database']:<11}{flood['learners']:>9}{flood['updates']:>9}"
            f"{flood['updates_per_s']:>7.1f}{flood['p50_ms']:>8.1f}{flood['p99_ms']:>8.1f}"
            f"{flood['during_flood_p99_ms']:>11.1f}{flood['without_429_p99_ms']:>12.1f}"
            f"{flood['handling_p99_ms']:>14.1f}{flood['wait_p99_ms']:>10.1f}"
            f"{flood['rate_wait_p99_ms']:>15.1f}{flood['met_429']:>9}"
        )
    lines += [
        "flooders and replies",
        f"{'database':<11}{'sent':>6}{'handled':>9}{'dropped':>9}{'msgs':>6}{'beyond rate':>13}"
        f"{'tightest 4':>12}{'sends/s':>9}{'429s':>6}{'lost':>6}{'errors':>8}",
    ]
    for flood in floods:
        span = flood["flooder_tightest_span_s"]
        tightest = "-" if span is None else f"{span:.2f} s"
        lines.append(
            f"{flood['database']:<11}{flood['flooders'] * flood['flood_updates_each']:>6}"
            f"{flood['flooder_handled']:>9}{flood['flooder_dropped']:>9}"
            f"{flood['flooder_messages']:>6}{flood['flooder_beyond_rate']:>13}{tightest:>12}"
            f"{flood['sends_per_s']:>9.1f}{flood['throttled_429']:>6}{flood['replies_lost']:>6}"
            f"{flood['errors']:>8}"
        )
    lines.append(
        "p50/p99: a learner's update from its arrival to its last reply (feed_update: handling "
        "plus every wait); flood p99: those that arrived while the flood was on; no-429 p99: "
        "less the time from each 429 to its retry; handling p99: less every wait (turn, limiter, "
        "429); turn p99, rate wait p99: the wait for a turn, the sleep in the limiter (global "
        "schedule, the chat's rate, a 429's pause); met 429: learner updates with a request "
        "answered 429; msgs: messages delivered to the flooders' chats, beyond rate: of them, "
        f"those after {CHAT_BURST} within less than {CHAT_WINDOW:g} s, tightest 4: the shortest "
        f"time {CHAT_BURST + 1} of them took; sends/s: messages and edits requested, 429s "
        "included; lost: messages and edits never delivered, in any chat"
    )
    for flood in floods:
        lines.append(
            f"{flood['database']}: flood sent in {flood['flood_sent_s']:.2f} s, over after "
            f"{flood['flood_elapsed_s']:.2f} s ({flood['during_flood_updates']} learner updates "
            f"meanwhile); learners dropped {flood['learners_dropped']}, their messages beyond "
            f"rate {flood['learners_beyond_rate']}; " + _marks(flood["goals"])
        )
    return "\n".join(lines)


def format_table(result: dict[str, Any]) -> str:
    if result.get("floods"):
        return format_flood_table(result)
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
        marks = _marks(comparison["goals"])
        lines.append(
            f"{comparison['database']}: pixbot/echo throughput = "
            f"{100 * comparison['throughput_share']:.1f} % (durable echo/echo "
            f"{100 * comparison['durable_echo_share']:.1f} %); {marks}"
        )
    if not result["think_s"]:
        lines.append(
            "no think time: each learner always has one update in flight, so updates queue "
            "(for their turn, or in the event loop for bots without a limit) about learners ÷ "
            "updates/s (Little's law); p50/p99 are the handling, queued p99 the waits for a "
            "turn and for Telegram's rates; Telegram's rates and the flood guard are lifted "
            "(each learner is a stream, not a person: they would measure Telegram); --think S "
            "measures them at a pace, with every limit as shipped"
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
    flooders: int = 0,
    throttle_every: int = THROTTLE_EVERY,
) -> int:
    """The CLI entry: prints the table (or JSON); 0 when every update was handled without
    error, 1 otherwise, 2 on misuse. Goals are reported, not enforced (a shared machine).
    ``flooders``: the flood scenario instead of the comparison with the echo bots, every
    ``throttle_every``-th message or edit answered 429 (0: none)."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    if not 1 <= learners <= MAX_LEARNERS or updates < learners:
        print(f"--learners from 1 to {MAX_LEARNERS}, --updates ≥ --learners", file=sys.stderr)
        return 2
    if (warmup is not None and warmup < 0) or think < 0 or flooders < 0 or throttle_every < 0:
        print(
            "--warmup, --think, --flooders and --throttle-every cannot be negative",
            file=sys.stderr,
        )
        return 2
    urls = list(database_urls or [SQLITE])
    try:
        result = asyncio.run(
            bench_updates(
                learners,
                updates,
                urls,
                warmup,
                think,
                seed,
                flooders=flooders,
                throttle_every=throttle_every,
            )
        )
    except (OSError, ValueError) as error:
        print(f"pixbot bench updates: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if as_json else format_table(result))
    clean = all(
        run["errors"] == 0 and run["unanswered"] == 0 for run in result["runs"] + result["floods"]
    )
    return 0 if clean else 1
