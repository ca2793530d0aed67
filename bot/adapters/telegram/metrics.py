"""Metrics of the aiogram runtime: the Bot API session's messages sent and 429s (``Metrics``,
``/healthz`` and ``/metrics`` are runtime-neutral, in :mod:`bot.serving.metrics`)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.serving.metrics import Metrics, routes

__all__ = ["Metrics", "RequestMetrics", "routes"]


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
