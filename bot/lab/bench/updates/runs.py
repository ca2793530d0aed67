"""One run: learners against one bot of one runtime (pixbot, the echo bot, the durable echo
bot), and its measures."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import resource
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.core.flood import FloodGuard
from bot.delivery.limiter import RateLimiter
from bot.lab.bench.updates.api import CURRENT_INBOX, Inbox, LocalApi
from bot.lab.bench.updates.database import Database, first_ids, stored_counts
from bot.lab.bench.updates.learners import FIRST_USER, LANGUAGES, Learner
from bot.lab.bench.updates.meters import Calls, EngineTime, Meter, StatementCount
from bot.lab.bench.updates.runtimes import Fed, durable_echo, echo, pixbot
from bot.memory import rss_mb
from bot.serving.replies import RATE_WAITED
from bot.serving.turns import WAITED

log = logging.getLogger(__name__)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """Measures of one bot under the learners."""

    name: str
    runtime: str
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
    statements: int = 0  # SQL statements sent to the database for the measured updates
    engine_seconds: float = 0.0  # the adaptive engine's choices for the measured updates
    shown: int = 0  # challenges whose message was recorded as shown (a statement after it)
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
            "runtime": self.runtime,
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
            "statements_per_update": round(self.statements / self.updates, 2),
            "engine_ms_per_update": round(1000 * self.engine_seconds / self.updates, 2),
            "shown_per_update": round(self.shown / self.updates, 3),
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
    bot: Fed,
    competences: Sequence[str],
    first_update: int,
    first_user: int,
    warmup: int,
    think: float,
    seed: int,
    meters: Mapping[str, Meter] | None = None,
) -> dict[str, float]:
    """``run.learners`` learners, all in flight, until ``warmup + run.updates`` updates are
    handled; the first ``warmup`` are not measured, nor counted by ``meters``, whose measures
    it returns by name."""
    total = warmup + run.updates
    taken = itertools.count()
    update_ids = itertools.count(first_update)
    latencies = np.zeros(run.updates)
    waits = np.zeros(run.updates)
    checkpoints = {max(1, run.updates * tenth // 10): tenth for tenth in range(1, 11)}
    done = 0
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    meters = meters or {}
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
                for meter in meters.values():
                    meter.reset()
            payload = learner.next_update(next(update_ids))
            update = bot.parse(payload)
            inbox = Inbox()
            token = CURRENT_INBOX.set(inbox)
            WAITED.set(0.0)
            begin = time.perf_counter()
            try:
                await bot.feed(update)
            except Exception:  # counted, and the learner starts over
                run.errors += 1
                log.exception("update %s raised", payload["update_id"])
            finally:
                elapsed = time.perf_counter() - begin
                CURRENT_INBOX.reset(token)
            learner.screens = inbox.screens
            if index >= warmup:  # the handling, and apart the waits (a turn, Telegram's rates)
                waited = inbox.queued + WAITED.get() + RATE_WAITED.get()
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
    return {name: meter.close() for name, meter in meters.items()}


async def run_pixbot(
    runtime: str,
    database: Database,
    learners: int,
    updates: int,
    warmup: int,
    think: float,
    seed: int,
) -> Run:
    """The real bot on ``runtime``, built as ``pixbot run`` builds it, on ``database``. With no
    think time each learner is a stream of updates, not a person: Telegram's rates and the flood
    guard, which would then measure Telegram (1 message a second per chat, 25 a second in all),
    are lifted so the run measures the bot's own cost; at a pace (``think``), they apply as
    shipped."""
    api = LocalApi()
    unlimited: dict[str, Any] = {}
    if think <= 0:
        unlimited = {
            "limiter": RateLimiter(1e9, chat_interval=0.0, group_per_minute=10**9),
            "flood": FloodGuard(rate=1e9, burst=10**9, backlog=10**9),
        }
    async with pixbot(runtime, database, api, **unlimited) as app:
        run = Run("pixbot", runtime, database.label, learners, updates)
        measured = await drive(
            run,
            app.bot,
            app.competences,
            app.first_update,
            app.first_user,
            warmup,
            think,
            seed,
            {
                "statements": StatementCount(app.engine),
                "engine": EngineTime(app.adaptive),
                "shown": Calls(app.conversation, "message_sent"),
            },
        )
        run.statements = int(measured["statements"])
        run.engine_seconds = measured["engine"]
        run.shown = int(measured["shown"])
        handled_errors = app.metrics.registry.get_sample_value("pixbot_errors_total") or 0.0
        run.errors += int(handled_errors)
        run.requests = api.requests
        run.stored = await stored_counts(app.engine)
        return run


async def run_echo(
    runtime: str, label: str, learners: int, updates: int, warmup: int, think: float, seed: int
) -> Run:
    """The runtime's bare echo bot (no database)."""
    api = LocalApi()
    run = Run("echo", runtime, label, learners, updates)
    async with echo(runtime, api) as bot:
        await drive(run, bot, (), 1, FIRST_USER, warmup, think, seed)
    run.requests = api.requests
    return run


async def run_durable_echo(
    runtime: str,
    database: Database,
    learners: int,
    updates: int,
    warmup: int,
    think: float,
    seed: int,
    writes: int = 0,
    shown: bool = False,
) -> Run:
    """The runtime's echo bot claiming each update in ``database`` first; with ``writes``,
    writing that many rows more in the claim's transaction (``runtimes.claim``); with
    ``shown``, recording each reply once sent (``runtimes.record_shown``)."""
    from storage.database import session_factory, upgrade

    await database.create()
    engine = database.engine()
    api = LocalApi()
    try:
        await upgrade(engine)
        name = "echo+db" + "+write" * writes + "+shown" * shown
        run = Run(name, runtime, database.label, learners, updates)
        first_update, _ = await first_ids(engine)
        async with durable_echo(runtime, api, session_factory(engine), writes, shown) as bot:
            meters = {"statements": StatementCount(engine)}
            measured = await drive(
                run, bot, (), first_update, FIRST_USER, warmup, think, seed, meters
            )
            run.statements = int(measured["statements"])
        run.requests = api.requests
        return run
    finally:
        await engine.dispose()
        await database.drop()
