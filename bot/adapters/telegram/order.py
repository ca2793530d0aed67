"""The aiogram runtime's way into the serving path: an outer middleware on updates that runs each
update through :class:`bot.serving.updates.Updates` (the chat's order and the flood guard,
metrics, a retry after a lost database connection, failures told to the person)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import TelegramObject, Update

from bot.adapters.telegram.events import person
from bot.adapters.telegram.transport import AiogramTransport
from bot.serving.order import Origin
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


def origin(update: Update) -> Origin | None:
    """Who sent a message or a press (the updates that get replies), and where."""
    message = update.message
    if message is not None and message.from_user is not None:
        private = message.chat.type == ChatType.PRIVATE
        return Origin(person(message.from_user), message.chat.id, private)
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        chat_id = chat.id if chat is not None else query.from_user.id
        private = chat is None or chat.type == ChatType.PRIVATE
        return Origin(person(query.from_user), chat_id, private, press_id=query.id)
    return None
