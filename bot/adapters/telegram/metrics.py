"""Operations: `/healthz` (the database answers) and `/metrics` (Prometheus text format):
updates handled by type, handler latency, time waiting for a turn, errors, messages sent, 429s,
delivery queue depth."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.delivery import DeliveryRow

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


class MetricsMiddleware(BaseMiddleware):
    """An outer middleware on updates: counts them by type and times their handling."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        self.metrics.updates.labels(type=kind).inc()
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            self.metrics.errors.inc()
            raise
        finally:
            self.metrics.latency.observe(time.perf_counter() - started)


def routes(app: web.Application, metrics: Metrics, engine: AsyncEngine) -> None:
    """Add /healthz and /metrics to an aiohttp application."""

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


class RequestMetrics(BaseRequestMiddleware):
    """A Bot API session middleware: counts the messages sent and the 429 answers."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.throttled.inc()
            raise
        if type(method).__name__.startswith("Send"):
            self.metrics.sent.inc()
        return response
