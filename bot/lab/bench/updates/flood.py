"""``--flooders``: a few people flood while the learners answer (issue #14's scenario)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from bot.core.flood import FloodGuard, Verdict
from bot.lab.bench.updates.api import (
    CURRENT_INBOX,
    THROTTLE_EVERY,
    Inbox,
    Ledger,
    LocalApi,
    beyond_rate,
    tightest_span,
)
from bot.lab.bench.updates.database import Database
from bot.lab.bench.updates.learners import FLOODER_OFFSET, LANGUAGES, Flooder, Learner
from bot.lab.bench.updates.report import flood_goals
from bot.lab.bench.updates.runtimes import Pixbot, pixbot
from bot.serving.turns import WAITED

FLOOD_UPDATES: Final = 400  # updates each flooder sends...
FLOOD_SECONDS: Final = 4.0  # ...in this long
log = logging.getLogger(__name__)
BENCH_LOGGERS: Final = __name__.rpartition(".")[0] + "."  # this package's loggers


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
        if record.name.startswith(BENCH_LOGGERS):  # the bench's own: counted where raised
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
        inbox = CURRENT_INBOX.get()
        if inbox is not None:
            inbox.slept += time.perf_counter() - begin


def _percentiles(values: Any, *quantiles: float) -> list[float]:
    """Milliseconds; 0 for an empty array."""
    if len(values) == 0:
        return [0.0 for _ in quantiles]
    return [round(float(value) * 1000, 1) for value in np.percentile(values, list(quantiles))]


@dataclass
class FloodRun:
    """Measures of the flood scenario on one database and runtime."""

    runtime: str
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
            "runtime": self.runtime,
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
        summary["goals"] = flood_goals(summary)
        return summary


def _tightest(spans: Sequence[float | None]) -> float | None:
    known = [span for span in spans if span is not None]
    return round(min(known), 3) if known else None


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
            payload = learner.next_update(next(update_ids))
            update = app.bot.parse(payload)
            inbox = Inbox()
            token = CURRENT_INBOX.set(inbox)
            WAITED.set(0.0)
            begin = time.perf_counter()
            try:
                await app.bot.feed(update)
            except Exception:
                run.errors += 1
                log.exception("update %s raised", payload["update_id"])
            finally:
                elapsed = time.perf_counter() - begin
                CURRENT_INBOX.reset(token)
            learner.screens = inbox.screens
            if index >= warmup:
                at = index - warmup
                latencies[at], waits[at] = elapsed, inbox.queued + WAITED.get()
                throttled[at], slept[at], began[at] = inbox.throttled_s, inbox.slept, begin
                run.met_429 += inbox.throttled > 0
                run.unanswered += inbox.requests == 0
                ended = max(ended, begin + elapsed)
            if think > 0:
                await asyncio.sleep(learner.rng.expovariate(1 / think))

    async def send(flooder: Flooder, payload: dict[str, Any]) -> None:
        update = app.bot.parse(payload)
        inbox = Inbox()
        CURRENT_INBOX.set(inbox)  # this task's own context
        try:
            await app.bot.feed(update)
        except Exception:
            run.errors += 1
            log.exception("update %s raised", payload["update_id"])
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
    runtime: str,
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
    """The flood scenario on the real bot on ``runtime``, its Bot API answering every
    ``throttle_every``-th message or edit with a 429 (0: none)."""
    ledger = Ledger(throttle_every=throttle_every)
    guard = CountingGuard()
    run = FloodRun(
        runtime,
        database.label,
        learners,
        updates,
        flooders,
        flood_updates,
        flood_seconds,
        ledger,
        guard,
    )
    tally = Tally()
    root = logging.getLogger()
    root.addHandler(tally)
    try:
        async with pixbot(runtime, database, LocalApi(ledger), guard, timed_sleep) as app:
            await drive_flood(run, app, warmup, think, seed)
    finally:
        root.removeHandler(tally)
    run.errors += tally.errors
    run.undelivered = tally.undelivered
    return run
