"""The delivery worker: claims due rows of ``deliveries``, sends them within the limits, and
records each outcome. Several workers (in one process or several) can share one database:
a claim is exclusive and carries a lease, so a dead worker's rows are taken again once the
lease expires (at-least-once; a crash between a send and its record can repeat that one send).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.limiter import Limiter
from bot.delivery.policy import Action, RetryPolicy
from storage import delivery as store
from storage.outage import log_failure

log = logging.getLogger(__name__)

OnDeactivated = Callable[[int], Awaitable[None]]
OnMigrated = Callable[[int, int], Awaitable[None]]


class Sender(Protocol):
    """Sends one payload (see :class:`storage.delivery.DeliveryRow`) and returns the message id.

    Raises :class:`bot.delivery.errors.RetryAfter`, ``Forbidden``, ``Migrated``, or anything
    else for an error worth retrying (``Transient`` preferably).
    """

    async def send(self, chat_id: int, kind: str, payload: Mapping[str, Any]) -> int | None: ...


@dataclass(frozen=True)
class Job:
    """A claimed row, detached from its session."""

    id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class DeliveryWorker:
    """Delivers due rows through ``sender``, paced by ``limiter``.

    ``sessions`` makes database sessions; ``clock`` gives aware UTC datetimes (due dates, leases);
    ``batch`` rows are claimed at a time (keep ``batch / per_second`` well under ``lease``);
    ``concurrency`` sends may be in flight at once. ``on_deactivated(chat_id)`` runs after a 403,
    ``on_migrated(old, new)`` after a group became a supergroup. ``stats`` counts the outcomes.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        limiter: Limiter,
        worker_id: str,
        clock: Callable[[], datetime],
        *,
        batch: int = 50,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=120),
        policy: RetryPolicy | None = None,
        poll_interval: float = 1.0,
        busy_chat_delay: float = 10.0,
        on_deactivated: OnDeactivated | None = None,
        on_migrated: OnMigrated | None = None,
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.limiter = limiter
        self.worker_id = worker_id
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.policy = policy or RetryPolicy()
        self.poll_interval = poll_interval
        self.busy_chat_delay = busy_chat_delay
        self.on_deactivated = on_deactivated
        self.on_migrated = on_migrated
        self.stats: Counter[str] = Counter()
        self._in_flight = asyncio.Semaphore(concurrency)
        self._waiting: set[int] = set()  # jobs waiting for the limiter (safe to cancel)

    async def run_once(self) -> int:
        """Claim one batch of due rows and deliver all of it; returns how many were claimed."""
        jobs = await self._claim(self.batch)
        await asyncio.gather(*(self._deliver(job) for job in jobs))
        return len(jobs)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set, claiming more rows before the current ones run out so
        the limiter is never idle while rows are due. On stop, rows not yet sent go back to
        pending at once; sends in flight finish."""
        tasks: dict[asyncio.Task[Any], int] = {}
        stopping: asyncio.Task[Any] = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                if len(tasks) <= self.batch // 2:
                    try:
                        jobs = await self._claim(self.batch - len(tasks))
                    except Exception as error:
                        log_failure(log, "claiming deliveries", error)
                        jobs = []
                    for job in jobs:
                        tasks[asyncio.create_task(self._deliver(job))] = job.id
                if not tasks:
                    await asyncio.wait({stopping}, timeout=self.poll_interval)
                    continue
                done, _ = await asyncio.wait(
                    {*tasks, stopping},
                    timeout=self.poll_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in done:
                    tasks.pop(task, None)
        finally:
            stopping.cancel()
            await self._stop(tasks)

    async def _stop(self, tasks: dict[asyncio.Task[Any], int]) -> None:
        cancelled = [job_id for task, job_id in tasks.items() if job_id in self._waiting]
        for task, job_id in tasks.items():
            if job_id in self._waiting:
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if cancelled:
            async with self.sessions() as session, session.begin():
                released = await store.release(session, cancelled, self.worker_id)
            log.info("worker %s released %d unsent deliveries", self.worker_id, released)

    async def _claim(self, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        async with self.sessions() as session, session.begin():
            rows = await store.claim(session, self.worker_id, self.clock(), limit, self.lease)
            return [Job(r.id, r.chat_id, r.kind, dict(r.payload), r.attempts) for r in rows]

    async def _deliver(self, job: Job) -> None:
        try:
            await self._attempt(job)
        except Exception as error:  # a database error: the lease expires, the row is claimed again
            log_failure(log, f"delivery {job.id}: recording the outcome", error)
            self.stats["errors"] += 1

    async def _attempt(self, job: Job) -> None:
        chat_id = job.chat_id
        moves = 0
        while True:
            delay = self.limiter.delay(chat_id)
            if delay > self.busy_chat_delay:  # a busy group: do not hold the row meanwhile
                await self._write(
                    store.mark_retry,
                    job.id,
                    self.worker_id,
                    self.clock() + timedelta(seconds=delay),
                    "chat busy",
                    count=False,
                )
                self.stats["postponed"] += 1
                return
            self._waiting.add(job.id)
            try:
                await self.limiter.acquire(chat_id)
            finally:
                self._waiting.discard(job.id)
            try:
                async with self._in_flight:
                    message_id = await self.sender.send(chat_id, job.kind, job.payload)
            except Exception as error:
                decision = self.policy.decide(error, job.attempts)
                reason = f"{type(error).__name__}: {error}"
                if decision.action is Action.WAIT:
                    log.warning("429 for chat %s: waiting %.1f s", chat_id, decision.seconds)
                    self.limiter.pause(decision.seconds)
                    self.stats["waited"] += 1
                    continue
                if decision.action is Action.RECHAT and decision.new_chat_id is not None:
                    moves += 1
                    if moves <= 3:
                        await self._write(store.rechat, chat_id, decision.new_chat_id)
                        self.stats["migrated"] += 1
                        if self.on_migrated is not None:
                            await self._callback(self.on_migrated(chat_id, decision.new_chat_id))
                        chat_id = decision.new_chat_id
                        continue
                    decision = self.policy.decide(RuntimeError(reason), job.attempts)
                await self._record(job, chat_id, decision.action, decision.seconds, reason)
                return
            await self._write(store.mark_sent, job.id, self.worker_id, self.clock(), message_id)
            self.stats["sent"] += 1
            return

    async def _record(
        self, job: Job, chat_id: int, action: Action, seconds: float, reason: str
    ) -> None:
        if action is Action.POSTPONE:
            self.limiter.pause(seconds)
            due = self.clock() + timedelta(seconds=seconds)
            await self._write(store.mark_retry, job.id, self.worker_id, due, reason, count=False)
            self.stats["postponed"] += 1
        elif action is Action.DEACTIVATE:
            log.info("chat %s is gone (%s): nothing more is sent to it", chat_id, reason)
            await self._write(store.mark_deactivated, chat_id, reason, job.id)
            self.stats["deactivated"] += 1
            if self.on_deactivated is not None:
                await self._callback(self.on_deactivated(chat_id))
        elif action is Action.RETRY:
            due = self.clock() + timedelta(seconds=seconds)
            await self._write(store.mark_retry, job.id, self.worker_id, due, reason)
            self.stats["retried"] += 1
        else:
            log.warning("delivery %s to chat %s failed: %s", job.id, chat_id, reason)
            await self._write(store.mark_failed, job.id, self.worker_id, reason)
            self.stats["failed"] += 1

    async def _write(self, query: Callable[..., Awaitable[Any]], *args: Any, **kw: Any) -> Any:
        async with self.sessions() as session, session.begin():
            return await query(session, *args, **kw)

    @staticmethod
    async def _callback(call: Awaitable[None]) -> None:
        try:
            await call
        except Exception as error:
            log_failure(log, "delivery callback", error)
