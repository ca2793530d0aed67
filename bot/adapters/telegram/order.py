"""The aiogram runtime's way into the serving path: an outer middleware on updates that runs each
update through :class:`bot.serving.updates.Updates` (the chat's order and the flood guard,
metrics, a retry after a lost database connection, failures told to the person)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update

from bot.adapters.telegram.transport import AiogramTransport
from bot.serving.order import origin
from bot.serving.updates import Updates


class Serve(BaseMiddleware):
    """The first outer middleware on updates. Handlers get ``transport`` (the Bot API calls of
    the bot the update came to)."""

    def __init__(self, updates: Updates) -> None:
        self.updates = updates
        self._transports: dict[int, AiogramTransport] = {}

    def transport(self, bot: Bot) -> AiogramTransport:
        transport = self._transports.get(id(bot))
        if transport is None or transport.bot is not bot:
            transport = self._transports[id(bot)] = AiogramTransport(bot)
        return transport

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        transport = data["transport"] = self.transport(data["bot"])
        await self.updates(
            transport,
            event.event_type,
            event.update_id,
            origin(event),
            lambda: handler(event, data),
        )
        return None
