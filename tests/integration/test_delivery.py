"""The delivery engine: rows in the database, claimed exclusively, sent within Telegram's limits,
every outcome recorded (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramMigrateToChat, TelegramRetryAfter
from aiogram.methods import SendMessage, SendPoll, TelegramMethod
from aiogram.types import Chat, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapters.telegram import create_bot
from bot.adapters.telegram.sender import TelegramSender
from bot.delivery import (
    DeliveryWorker,
    Forbidden,
    Migrated,
    RateLimiter,
    RetryAfter,
    RetryPolicy,
    Transient,
)
from storage import delivery as store
from storage.database import create_engine, session_factory
from storage.delivery import DeliveryRow
from tests.telegram import RecordingSession
from tests.virtual_time import START, VirtualTime

TOKEN = "123456789:AAEhBP0av28yHjs8_Mq6FMh2W4qS6xxXy-Q"


class FakeSender:
    """Records every send; ``script[chat_id]`` lists errors to raise before succeeding."""

    def __init__(self, time: VirtualTime, script: dict[int, list[Exception]] | None = None):
        self.time = time
        self.script = script or {}
        self.calls: list[tuple[int, float]] = []
        self.delivered: list[tuple[int, str]] = []  # (chat_id, text)
        self.always: Exception | None = None
        self._ids = itertools.count(1)

    async def send(self, chat_id: int, kind: str, payload: Mapping[str, Any]) -> int | None:
        self.calls.append((chat_id, self.time.now))
        await asyncio.sleep(0)
        if self.always is not None:
            raise self.always
        errors = self.script.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.delivered.append((chat_id, str(payload.get("text"))))
        return next(self._ids)


def make_worker(
    sessions: async_sessionmaker[AsyncSession],
    sender: Any,
    time: VirtualTime,
    worker_id: str = "w1",
    **options: Any,
) -> DeliveryWorker:
    limiter = options.pop("limiter", None) or RateLimiter(25, clock=time, sleep=time.sleep)
    return DeliveryWorker(sessions, sender, limiter, worker_id, time.utc, **options)


async def plan(
    sessions: async_sessionmaker[AsyncSession],
    chats: list[int],
    due: datetime = START,
    kind: str = "tip",
    tag: str = "a",
) -> None:
    async with sessions() as session, session.begin():
        for chat in chats:
            await store.enqueue(
                session,
                chat,
                kind,
                {"text": f"tip for {chat}"},
                due,
                f"{kind}:{chat}:{tag}",
                now=due,
            )


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[DeliveryRow]:
    async with sessions() as session:
        return list((await session.scalars(select(DeliveryRow).order_by(DeliveryRow.id))).all())


async def test_enqueue_twice_creates_one_row_and_keeps_the_transaction(
    database: AsyncEngine,
) -> None:
    sessions = session_factory(database)
    async with sessions() as session, session.begin():
        payload = {"text": "<b>Tip</b>", "buttons": [[{"label": "More", "data": "tip:1"}]]}
        assert await store.enqueue(session, -100, "tip", payload, START, "tip:-100:d1")
        assert not await store.enqueue(session, -100, "tip", payload, START, "tip:-100:d1")
        # the transaction goes on after a duplicate
        assert await store.enqueue(session, -101, "tip", payload, START, "tip:-101:d1")
    async with sessions() as session:
        assert not await store.enqueue(session, -100, "tip", {"text": "x"}, START, "tip:-100:d1")
        await session.commit()
        counts = await store.counts(session)
    assert counts == {"pending": 2, "sending": 0, "sent": 0, "failed": 0, "deactivated": 0}
    stored = await rows(sessions)
    assert stored[0].payload == payload and stored[0].attempts == 0


async def test_concurrent_claims_never_share_a_row(database: AsyncEngine) -> None:
    other = create_engine(database.url.render_as_string(hide_password=False))
    first, second = session_factory(database), session_factory(other)
    await plan(first, [-(1000 + i) for i in range(60)])
    lease = timedelta(seconds=60)

    async def claim_and_hold(
        sessions: async_sessionmaker[AsyncSession], worker: str, hold: float
    ) -> list[int]:
        async with sessions() as session, session.begin():
            claimed = await store.claim(session, worker, START, 40, lease)
            await asyncio.sleep(hold)  # keep the transaction (and its row locks) open
            return [row.id for row in claimed]

    try:
        a, b = await asyncio.gather(
            claim_and_hold(first, "a", 0.2), claim_and_hold(second, "b", 0.0)
        )
        assert not set(a) & set(b)
        assert sorted(a + b) == [row.id for row in await rows(first)]
        assert {len(a), len(b)} == {40, 20}
        # nothing is due any more until the leases expire
        async with first() as session, session.begin():
            assert await store.claim(session, "c", START + timedelta(seconds=59), 10, lease) == []
        stored = await rows(first)
        assert {row.claimed_by for row in stored if row.id in a} <= {"a"}
        assert all(row.status == "sending" for row in stored)
    finally:
        await other.dispose()


async def test_two_workers_deliver_every_row_exactly_once(database: AsyncEngine) -> None:
    other = create_engine(database.url.render_as_string(hide_password=False))
    time = VirtualTime()
    sender = FakeSender(time)
    chats = [-(2000 + i) for i in range(40)]
    await plan(session_factory(database), chats)
    workers = [
        make_worker(session_factory(database), sender, time, "w1", batch=7),
        make_worker(session_factory(other), sender, time, "w2", batch=7),
    ]
    try:
        for _ in range(10):
            claimed = await asyncio.gather(*(w.run_once() for w in workers))
            if not sum(claimed):
                break
        assert sorted(chat for chat, _ in sender.delivered) == sorted(chats)
        assert workers[0].stats["sent"] > 0 and workers[1].stats["sent"] > 0
        async with session_factory(database)() as session:
            assert (await store.counts(session))["sent"] == 40
    finally:
        await other.dispose()


async def test_a_429_waits_exactly_retry_after_then_delivers_once(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    sender = FakeSender(time, {-1: [RetryAfter(3)]})
    await plan(sessions, [-1, -2])
    worker = make_worker(sessions, sender, time)
    assert await worker.run_once() == 2
    first, retried = [t for chat, t in sender.calls if chat == -1]
    assert retried - first == pytest.approx(3.0)
    assert 3.0 in [pytest.approx(s) for s in time.sleeps]
    assert [chat for chat, _ in sender.delivered].count(-1) == 1
    row = next(r for r in await rows(sessions) if r.chat_id == -1)
    assert (row.status, row.attempts, row.message_id is not None) == ("sent", 0, True)
    assert worker.stats["waited"] == 1


async def test_a_403_deactivates_the_chat_and_calls_back(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    sender = FakeSender(time, {42: [Forbidden("Forbidden: bot was blocked by the user")]})
    await plan(sessions, [42, 43])
    await plan(sessions, [42], due=START + timedelta(days=1), tag="tomorrow")
    gone: list[int] = []

    async def on_deactivated(chat_id: int) -> None:
        gone.append(chat_id)

    worker = make_worker(sessions, sender, time, on_deactivated=on_deactivated)
    await worker.run_once()
    assert gone == [42]
    statuses = {(r.chat_id, r.dedupe_key): r.status for r in await rows(sessions)}
    assert statuses == {
        (42, "tip:42:a"): "deactivated",
        (43, "tip:43:a"): "sent",
        (42, "tip:42:tomorrow"): "deactivated",
    }


async def test_a_migrated_group_moves_its_rows_and_is_sent_at_the_new_id(
    database: AsyncEngine,
) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    new_id = -1001234567890123
    sender = FakeSender(time, {-5: [Migrated(new_id)]})
    await plan(sessions, [-5])
    await plan(sessions, [-5], due=START + timedelta(days=1), tag="tomorrow")
    moves: list[tuple[int, int]] = []

    async def on_migrated(old: int, new: int) -> None:
        moves.append((old, new))

    worker = make_worker(sessions, sender, time, on_migrated=on_migrated)
    await worker.run_once()
    assert moves == [(-5, new_id)]
    assert sender.delivered == [(new_id, "tip for -5")]
    today, tomorrow = await rows(sessions)
    assert (today.chat_id, today.status) == (new_id, "sent")
    assert (tomorrow.chat_id, tomorrow.status) == (new_id, "pending")


async def test_other_errors_back_off_then_fail(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    sender = FakeSender(time)
    sender.always = Transient("Bad Gateway")
    await plan(sessions, [7])
    policy = RetryPolicy(max_attempts=5, base=30.0)
    worker = make_worker(sessions, sender, time, policy=policy)
    delays: list[float] = []
    for _ in range(5):
        before = time.utc()
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0  # not due before its backoff
        (row,) = await rows(sessions)
        if row.status == "pending":
            delays.append((store._utc(row.due_at) - before).total_seconds())
            time.now += delays[-1] + 1
    (row,) = await rows(sessions)
    assert (row.status, row.attempts) == ("failed", 5)
    assert row.last_error is not None and "Bad Gateway" in row.last_error
    assert [round(d) for d in delays] == [30, 60, 120, 240]
    assert len(sender.calls) == 5


async def test_rows_of_a_dead_worker_are_sent_once_after_the_lease(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    sender = FakeSender(time)
    await plan(sessions, [-1, -2, -3])
    async with sessions() as session, session.begin():  # a worker claims, then dies
        assert len(await store.claim(session, "dead", START, 10, timedelta(seconds=60))) == 3
    worker = make_worker(sessions, sender, time, "next", lease=timedelta(seconds=60))
    time.now = 30
    assert await worker.run_once() == 0
    time.now = 61
    assert await worker.run_once() == 3
    time.now = 200
    assert await worker.run_once() == 0
    assert sorted(chat for chat, _ in sender.delivered) == [-3, -2, -1]
    assert {(r.status, r.claimed_by) for r in await rows(sessions)} == {("sent", "next")}


async def test_run_delivers_then_stops_and_hands_back_unsent_rows(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    sender = FakeSender(time)
    limiter = RateLimiter(500, chat_interval=0.0)  # real time, fast
    worker = DeliveryWorker(sessions, sender, limiter, "w", lambda: START, poll_interval=0.01)
    await plan(sessions, [1, 2, 3])
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    for _ in range(200):
        if len(sender.delivered) == 3:
            break
        await asyncio.sleep(0.01)
    limiter.pause(8)  # flood control: whatever comes next waits in the limiter
    await plan(sessions, [4, 5], tag="b")
    for _ in range(200):
        if len(worker._waiting) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(worker._waiting) == 2
    stop.set()
    await asyncio.wait_for(running, 5)
    statuses = sorted((r.chat_id, r.status, r.claimed_by) for r in await rows(sessions))
    assert statuses == [
        (1, "sent", "w"),
        (2, "sent", "w"),
        (3, "sent", "w"),
        (4, "pending", None),
        (5, "pending", None),
    ]


def check_limits(sends: list[tuple[int, float]], per_second: float) -> None:
    by_chat: dict[int, list[float]] = defaultdict(list)
    for chat, at in sends:
        by_chat[chat].append(at)
    for chat, times in by_chat.items():
        if chat > 0:  # a private chat: a burst of 3, then 1 per second
            spans = [times[i + 3] - times[i] for i in range(len(times) - 3)]
            assert all(span >= 3.0 - 1e-9 for span in spans), (chat, spans)
            continue
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= 1.0 - 1e-9 for gap in gaps), (chat, gaps)
        if chat < 0:  # any 20 sends to a group span at least a minute
            spans = [times[i + 20] - times[i] for i in range(len(times) - 20)]
            assert all(span >= 60.0 - 1e-9 for span in spans), chat
    times = sorted(at for _, at in sends)
    window = int(per_second)
    assert all(times[i + window] - times[i] >= 1.0 - 1e-9 for i in range(len(times) - window))


async def test_the_limiter_keeps_chat_group_and_global_limits_on_a_fake_clock() -> None:
    time = VirtualTime()
    limiter = RateLimiter(10, clock=time, sleep=time.sleep)
    sends: list[tuple[int, float]] = []

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        sends.append((chat, time.now))

    # a busy group, a busy private chat, and many groups with one message each
    chats = [-1] * 45 + [7] * 15 + [-(100 + i) for i in range(60)]
    await asyncio.gather(*(send(chat) for chat in chats))
    assert len(sends) == len(chats)
    check_limits(sends, 10)
    group = [at for chat, at in sends if chat == -1]
    assert group[-1] - group[0] >= 120  # 45 messages need two full minutes of the window
    others = sorted(at for chat, at in sends if chat < -1)
    assert others[-1] < 12  # the busy chats did not hold the others back


async def test_the_limiter_pause_holds_every_chat() -> None:
    time = VirtualTime()
    limiter = RateLimiter(25, clock=time, sleep=time.sleep)
    await limiter.acquire(-1)
    limiter.pause(5)
    await limiter.acquire(-2)
    assert time.now == pytest.approx(5.0)
    assert limiter.delay(-2) == pytest.approx(1.0)


class ScriptedSession(RecordingSession):
    """RecordingSession that also answers sendPoll and can answer 429 or a migration."""

    def __init__(self) -> None:
        super().__init__()
        self.flood: dict[int, int] = {}  # chat -> retry_after of the next answer
        self.migrated: dict[int, int] = {}  # chat -> new supergroup id

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        chat_id = getattr(method, "chat_id", None)
        if chat_id is not None and int(chat_id) in self.flood:
            seconds = self.flood.pop(int(chat_id))
            raise TelegramRetryAfter(method, "Too Many Requests", retry_after=seconds)
        if chat_id is not None and int(chat_id) in self.migrated:
            new = self.migrated[int(chat_id)]
            raise TelegramMigrateToChat(method, "group upgraded", migrate_to_chat_id=new)
        if isinstance(method, SendPoll):
            assert 1 <= len(method.question) <= 300 and 1 <= len(method.options) <= 12
            return Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="supergroup"),
            )
        return super()._answer(method)


async def test_the_telegram_sender_maps_payloads_and_errors() -> None:
    session = ScriptedSession()
    bot = create_bot(TOKEN, session=session)
    polls: list[tuple[int, int]] = []

    async def on_poll(chat_id: int, message: Message, payload: Mapping[str, Any]) -> None:
        polls.append((chat_id, message.message_id))
        raise RuntimeError("a failing callback does not make the send fail")

    sender = TelegramSender(bot, on_poll=on_poll)
    try:
        buttons = [
            [{"label": "Quiz", "data": "quiz:1"}, {"label": "Pix", "url": "https://pix.fr"}]
        ]
        message_id = await sender.send(-10, "tip", {"text": "<b>Tip</b>", "buttons": buttons})
        poll = {
            "question": "Which is a strong password?",
            "options": ["123456", "correct-horse-battery", "password"],
            "correct_option_ids": [1],
            "explanation": "Length wins.",
            "open_period": 600,
        }
        poll_id = await sender.send(-10, "quiz", {"poll": poll})
        assert message_id and poll_id and poll_id != message_id
        assert polls == [(-10, poll_id)]
        text, quiz = session.take()
        assert isinstance(text, SendMessage) and isinstance(quiz, SendPoll)
        assert text.text == "<b>Tip</b>" and text.chat_id == -10
        assert text.reply_markup is not None
        row = text.reply_markup.inline_keyboard[0]  # type: ignore[union-attr]
        assert (row[0].callback_data, row[1].url) == ("quiz:1", "https://pix.fr")
        assert (quiz.type, quiz.is_anonymous, quiz.correct_option_ids) == ("quiz", False, [1])
        assert (quiz.explanation, quiz.open_period) == ("Length wins.", 600)

        session.blocked.add(11)
        with pytest.raises(Forbidden):
            await sender.send(11, "tip", {"text": "hi"})
        session.flood[12] = 7
        with pytest.raises(RetryAfter) as flood:
            await sender.send(12, "tip", {"text": "hi"})
        assert flood.value.seconds == 7
        session.migrated[-13] = -10013
        with pytest.raises(Migrated) as moved:
            await sender.send(-13, "tip", {"text": "hi"})
        assert moved.value.new_chat_id == -10013
    finally:
        await bot.session.close()


async def test_the_worker_through_the_telegram_sender(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    time = VirtualTime()
    session = ScriptedSession()
    session.blocked.add(-2)
    session.flood[-3] = 2
    bot = create_bot(TOKEN, session=session)
    gone: list[int] = []

    async def on_deactivated(chat_id: int) -> None:
        gone.append(chat_id)

    try:
        await plan(sessions, [-1, -2, -3])
        worker = make_worker(sessions, TelegramSender(bot), time, on_deactivated=on_deactivated)
        assert await worker.run_once() == 3
        sent = [r for r in session.take() if isinstance(r, SendMessage)]
        assert sorted(int(r.chat_id) for r in sent) == [-3, -3, -2, -1]  # -3 after its 429
        assert gone == [-2]
        statuses = {r.chat_id: r.status for r in await rows(sessions)}
        assert statuses == {-1: "sent", -2: "deactivated", -3: "sent"}
    finally:
        await bot.session.close()


async def test_replies_go_before_group_deliveries_on_a_fake_clock() -> None:
    """Group posts only take the capacity the replies leave: 50 posts queued, then a burst of
    replies to 10 people is served at the global rate as if the posts were not there."""
    time = VirtualTime()
    limiter = RateLimiter(10, clock=time, sleep=time.sleep)
    sent: list[tuple[str, float]] = []

    async def post(group: int) -> None:
        await limiter.acquire(group)
        sent.append(("post", time.now))

    async def reply(person: int) -> None:
        await limiter.acquire(person, urgent=True)
        sent.append(("reply", time.now))

    posts = [asyncio.create_task(post(-(100 + i))) for i in range(50)]
    await asyncio.sleep(0)
    await time.sleep(0.55)  # the posts have started going out, 10 a second
    await asyncio.gather(*(reply(person) for person in range(1, 11)))
    replies = [at for kind, at in sent if kind == "reply"]
    # 10 replies at 10 a second: the last within about a second, not after the 45 posts left.
    assert max(replies) - 0.55 <= 1.0 + 1e-9
    await asyncio.gather(*posts)
    times = sorted(at for _, at in sent)  # the bot's total rate holds throughout
    spans = zip(times, times[10:], strict=False)
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in spans)
