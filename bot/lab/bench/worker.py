"""``pixbot bench worker``: a real `pixbot run` process under learners at a person's pace, and
its resident memory along the run (issue 19: a worker in at most 150 MB after 100,000 updates).

The worker long-polls a Bot API served on 127.0.0.1 by this process, as it would Telegram's
(``TELEGRAM_API_BASE``), with every limit as shipped; the learners of ``pixbot bench updates``
post their updates there and read the worker's replies. What ``pixbot bench updates`` measures
in its own process (its learners, its Bot API and its arrays included) is measured here in the
worker's alone, read from ``/proc`` at each tenth of the run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from bot.lab.bench.updates.api import CURRENT_INBOX, Inbox, LocalApi
from bot.lab.bench.updates.database import SQLITE
from bot.lab.bench.updates.learners import FIRST_USER, LANGUAGES, Learner
from bot.lab.bench.updates.start import bot_api_server, process_database, process_environment
from content.cache import cached_bank

# Updates a second the learners send in all, by default: a bot sends at most 25 new messages a
# second (DELIVERY_RATE), and nearly every update's reply holds one; faster, replies queue
# behind the limiter and the learners read half-finished screens.
PACE: Final = 20.0
QUIET: Final = 1.1  # a reply is complete once its chat had no request for this long (past a
# chat's 1 message a second, so a reply the limiter paces is whole)...
REPLY_TIMEOUT: Final = 10.0  # ...or after this long (counted as unanswered without any)
POLL_HOLD: Final = 0.5  # a getUpdates is held at most this long when nothing is queued
START_TIMEOUT: Final = 60.0
STOP_GRACE: Final = 30.0  # seconds between SIGTERM and SIGKILL, as Docker and Kubernetes give
PAGE_KB: Final = os.sysconf("SC_PAGE_SIZE") / 1024


def rss_of(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (``/proc/<pid>/statm``)."""
    resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return resident * PAGE_KB / 1024


@dataclass
class Conversation:
    """One learner's update in flight: its inbox, and when the worker last called about it."""

    inbox: Inbox = field(default_factory=Inbox)
    last: float = 0.0
    touched: asyncio.Event = field(default_factory=asyncio.Event)


class PolledApi:
    """The Bot API the worker polls: the learners' updates go out through getUpdates, and every
    other call is answered by a :class:`LocalApi` into the inbox of the chat it is about."""

    def __init__(self) -> None:
        self.api = LocalApi()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.fetched: list[dict[str, Any]] = []
        self.first_poll = asyncio.Event()
        self.chats: dict[int, Conversation] = {}  # chat id -> its update in flight
        self.presses: dict[str, int] = {}  # callback query id -> chat id

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form: Mapping[str, Any] = await request.post() if request.can_read_body else {}
        if method.lower() == "getupdates":
            self.first_poll.set()
            updates = await self._poll(int(form.get("offset") or 0))
            return web.json_response({"ok": True, "result": updates})
        params = {k: json.loads(v) if k == "reply_markup" else v for k, v in form.items()}
        chat_id = params.get("chat_id") or self.presses.pop(
            str(params.get("callback_query_id")), None
        )
        conversation = self.chats.get(int(chat_id)) if chat_id is not None else None
        token = CURRENT_INBOX.set(conversation.inbox if conversation else None)
        try:
            answer = self.api.answer(method, params, lambda: "")
        finally:
            CURRENT_INBOX.reset(token)
        if conversation is not None:
            conversation.last = time.monotonic()
            conversation.touched.set()
        return web.Response(
            status=answer.status, body=answer.body, content_type="application/json"
        )

    async def _poll(self, offset: int) -> list[dict[str, Any]]:
        """Updates from ``offset`` on, as Telegram's long polling: older ones are confirmed."""
        self.fetched = [u for u in self.fetched if u["update_id"] >= offset]
        while not self.queue.empty():
            self.fetched.append(self.queue.get_nowait())
        if not self.fetched:
            try:
                self.fetched.append(await asyncio.wait_for(self.queue.get(), POLL_HOLD))
            except TimeoutError:
                return []
        return self.fetched[:100]

    async def send(self, chat_id: int, update: dict[str, Any]) -> Inbox:
        """Post ``update`` and wait for the worker's reply to it (complete once the chat is
        quiet for ``QUIET`` seconds): what the learner then sees."""
        conversation = self.chats[chat_id] = Conversation()
        press = update.get("callback_query")
        if press is not None:
            self.presses[press["id"]] = chat_id
        self.queue.put_nowait(update)
        deadline = time.monotonic() + REPLY_TIMEOUT
        while (now := time.monotonic()) < deadline:
            if conversation.last and now - conversation.last >= QUIET:
                break
            conversation.touched.clear()
            wait = QUIET if conversation.last else deadline - now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(conversation.touched.wait(), wait)
        del self.chats[chat_id]
        return conversation.inbox


@dataclass
class WorkerRun:
    runtime: str
    database: str
    learners: int
    updates: int
    think: float
    elapsed: float = 0.0
    unanswered: int = 0
    answered: int = 0
    rss: list[float] = field(default_factory=list)  # the worker's MB after each tenth
    rss_start: float = 0.0  # ... at its first poll
    stop_s: float | None = None  # SIGTERM to exit (None: killed after STOP_GRACE)

    def summary(self) -> dict[str, Any]:
        return {
            "runtime": self.runtime,
            "database": self.database,
            "learners": self.learners,
            "updates": self.updates,
            "think_s": self.think,
            "elapsed_s": round(self.elapsed, 1),
            "updates_per_s": round(self.updates / self.elapsed, 1) if self.elapsed else 0.0,
            "unanswered": self.unanswered,
            "challenges_answered": self.answered,
            "rss_start_mb": round(self.rss_start, 1),
            "rss_mb": [round(value, 1) for value in self.rss],
            "rss_end_mb": round(self.rss[-1], 1) if self.rss else 0.0,
            "rss_max_mb": round(max(self.rss), 1) if self.rss else 0.0,
            "stop_s": None if self.stop_s is None else round(self.stop_s, 2),
        }


async def drive(run: WorkerRun, api: PolledApi, pid: int, seed: int) -> None:
    """``run.learners`` learners, each reading ``run.think`` seconds on average between two
    updates, until ``run.updates`` updates are answered."""
    competences = sorted(cached_bank().competences)
    learners = [
        Learner(
            user_id=FIRST_USER + index,
            language=LANGUAGES[index % len(LANGUAGES)],
            rng=random.Random(seed * 100_003 + index),
            competences=competences,
        )
        for index in range(run.learners)
    ]
    update_ids = iter(range(1, 10**12))
    checkpoints = {max(1, run.updates * tenth // 10) for tenth in range(1, 11)}
    done = 0

    async def learn(learner: Learner) -> None:
        nonlocal done
        await asyncio.sleep(learner.rng.uniform(0, run.think))  # arrivals spread out
        while done < run.updates:
            update = learner.next_update(next(update_ids))
            inbox = await api.send(learner.user_id, update)
            learner.screens = inbox.screens
            if inbox.requests == 0:
                run.unanswered += 1
            done += 1
            if done in checkpoints:
                run.rss.append(rss_of(pid))
            await asyncio.sleep(learner.rng.expovariate(1 / run.think))

    started = time.perf_counter()
    await asyncio.gather(*(learn(learner) for learner in learners))
    run.elapsed = time.perf_counter() - started
    run.answered = sum(learner.answered for learner in learners)


async def bench_worker(
    learners: int,
    updates: int,
    database_url: str = SQLITE,
    runtime: str = "ptb",
    think: float | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    """One `pixbot run` on ``runtime`` and ``database_url`` (a new PostgreSQL database of that
    server, or a temporary SQLite file), under the learners."""
    api = PolledApi()
    async with (
        process_database(database_url) as (database, url),
        bot_api_server(api.handle) as base,
    ):
        run = WorkerRun(runtime, database.label, learners, updates, think or learners / PACE)
        environ = process_environment(
            DATABASE_URL=url, TELEGRAM_API_BASE=base, TELEGRAM_LIBRARY=runtime, LOG_LEVEL="WARNING"
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=environ,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await asyncio.wait_for(api.first_poll.wait(), START_TIMEOUT)
            run.rss_start = rss_of(process.pid)
            await drive(run, api, process.pid, seed)
        finally:
            await stop(process, run)
    return run.summary()


async def stop(process: asyncio.subprocess.Process, run: WorkerRun) -> None:
    """SIGTERM, as an orchestrator stops a worker; SIGKILL past its grace period (the worker
    finishes the updates in hand first, and a long reply backlog can outlast it)."""
    if process.returncode is not None:
        return
    asked = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_GRACE)
        run.stop_s = time.perf_counter() - asked
    except TimeoutError:
        process.kill()
        await process.wait()


def format_worker(summary: Mapping[str, Any]) -> str:
    tenths = " ".join(f"{value:.0f}" for value in summary["rss_mb"])
    return "\n".join(
        [
            f"a `pixbot run` worker ({summary['runtime']}, {summary['database']}) under "
            f"{summary['learners']} learners reading {summary['think_s']:g} s on average between "
            "two updates, every limit as shipped",
            f"updates {summary['updates']}  in {summary['elapsed_s']:g} s "
            f"({summary['updates_per_s']:g}/s)  unanswered {summary['unanswered']}  "
            f"challenges answered {summary['challenges_answered']}",
            f"worker RSS MB: {summary['rss_start_mb']:.0f} at its first poll; after each tenth: "
            f"{tenths}; at most {summary['rss_max_mb']:.0f}",
            "stopped "
            + (
                f"{summary['stop_s']:g} s after SIGTERM"
                if summary["stop_s"] is not None
                else f"by SIGKILL, still busy {STOP_GRACE:g} s after SIGTERM"
            ),
        ]
    )


def run_worker(
    learners: int,
    updates: int,
    database_url: str,
    runtime: str,
    think: float | None,
    seed: int,
    as_json: bool,
) -> int:
    """``pixbot bench worker``."""
    if learners < 1 or updates < 1 or (think is not None and think <= 0):
        print("--learners and --updates must be at least 1, --think above 0", file=sys.stderr)
        return 2
    summary = asyncio.run(bench_worker(learners, updates, database_url, runtime, think, seed))
    print(json.dumps(summary, indent=2) if as_json else format_worker(summary))
    return 0
