"""At most N updates handled at once per process; the others wait their turn, in order.

Every update needs a database connection, and a handler that awaits the database lets every
other handler run in the meantime. Unbounded, a burst of updates empties the connection pool
(updates then fail after the pool timeout, answered "temporarily unavailable") and stretches
each handler to the sum of everyone's work. Bounded, a handler takes about N times the cost of
one update, and the backlog waits here, in arrival order, where waiting costs nothing.

A turn covers the core's work (the conversation and its database), not the replies: a reply
that waits for its chat's share of Telegram's rate holds no turn, so a person whose replies
have to wait slows nobody else."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from bot.serving.metrics import Metrics
from bot.settings import MAX_CONCURRENT_UPDATES

# How long the update being handled in this context waited for its turns (the bench reads it);
# the chat's order sets it to 0 when an update arrives.
WAITED: ContextVar[float] = ContextVar("pixbot_update_waited", default=0.0)


class Turns:
    """``async with turns():`` around the core's work on an update.

    The default limit (settings: 4, or 1 on SQLite, which has one writer at a time) keeps the
    CPU busy while some handlers wait for the database: an update costs 6-16 ms of CPU (the
    machine decides) and about 8 statements, so 4 suffice up to about 3 ms a round trip
    (`pixbot bench updates` on a local PostgreSQL: 2, 4 and 8 give the same throughput;
    handling latency grows with the number).
    It stays below the connection pool's size (SQLAlchemy's default: 5 + 10 overflow), so no
    update waits for a connection."""

    def __init__(
        self, limit: int = MAX_CONCURRENT_UPDATES, metrics: Metrics | None = None
    ) -> None:
        self._turns = asyncio.Semaphore(limit)  # wakes its waiters first come, first served
        self.metrics = metrics

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        arrived = time.perf_counter()
        async with self._turns:
            waited = time.perf_counter() - arrived
            WAITED.set(WAITED.get() + waited)
            if self.metrics is not None:
                self.metrics.waiting.observe(waited)
            yield
