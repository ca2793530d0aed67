"""Operations: `/healthz` (the database answers) and `/metrics` (Prometheus text format):
updates handled by type, handler latency, time waiting for a turn, errors, messages sent, 429s,
delivery queue depth."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.delivery import DeliveryRow

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """One registry per process (not the global one, so tests and two bots stay apart)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "pixbot_updates", "Updates handled, by type", ["type"], registry=self.registry
        )
        self.latency = Histogram(
            "pixbot_handler_seconds",
            "Time to handle one update",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.waiting = Histogram(
            "pixbot_update_wait_seconds",
            "Time an update waited for its turn (MAX_CONCURRENT_UPDATES) before handling",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("pixbot_errors", "Updates that failed", registry=self.registry)
        self.sent = Counter("pixbot_messages_sent", "Bot API sends", registry=self.registry)
        self.throttled = Counter(
            "pixbot_telegram_429", "429 answers from the Bot API", registry=self.registry
        )
        self.queue = Gauge(
            "pixbot_delivery_queue_depth", "Deliveries waiting to be sent", registry=self.registry
        )


def routes(app: web.Application, metrics: Metrics, engine: AsyncEngine) -> None:
    """Add /healthz and /metrics to an aiohttp application."""
    from aiohttp import web  # only a bot that serves HTTP loads it

    async def healthz(_: web.Request) -> web.Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # any database failure means "not healthy"
            log.warning("health check: database unreachable: %s", error)
            return web.Response(status=503, text="database unreachable\n")
        return web.Response(text="ok\n")

    async def scrape(_: web.Request) -> web.Response:
        try:
            async with engine.connect() as connection:
                depth = await connection.scalar(
                    select(func.count())
                    .select_from(DeliveryRow)
                    .where(DeliveryRow.status.in_(("pending", "sending")))
                )
            metrics.queue.set(float(depth or 0))
        except Exception as error:  # the rest of the metrics are still worth serving
            log.warning("metrics: queue depth unavailable: %s", error)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)


T = TypeVar("T")


async def timed(metrics: Metrics | None, kind: str, work: Callable[[], Awaitable[T]]) -> T:
    """Count an update of ``kind`` and time its handling (failures counted too)."""
    if metrics is None:
        return await work()
    metrics.updates.labels(type=kind).inc()
    started = time.perf_counter()
    try:
        return await work()
    except Exception:
        metrics.errors.inc()
        raise
    finally:
        metrics.latency.observe(time.perf_counter() - started)
