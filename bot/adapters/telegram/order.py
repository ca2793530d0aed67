"""One update at a time per chat, in arrival order, and a person's flood dropped.

A chat's updates are handled one after the other, replies included: the answers to two quick
messages never cross, and a typed answer is only read once the challenge it answers has been
shown and recorded. Different chats go on side by side (within the process's turns, see
``concurrency.py``).

A person who sends faster than anyone reads (``bot.core.flood``) has the extra updates dropped
before any work is done for them, with one "slow down" notice now and then: a press is answered
at once (its spinner stops; not a message), a message in a private chat gets the notice as a
reply within the chat's rate; nothing is posted in a group for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import TelegramObject, Update

from bot.adapters.telegram.concurrency import WAITED
from bot.adapters.telegram.events import person
from bot.adapters.telegram.replies import RATE_WAITED, Replies
from bot.core.chat import Message, Outcome
from bot.core.flood import FloodGuard, Verdict

log = logging.getLogger(__name__)


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChatOrder(BaseMiddleware):
    """An outer middleware on updates (the first): messages and presses of one chat in order,
    a flood dropped. Other updates (inline queries, poll answers, membership) pass through."""

    def __init__(
        self,
        guard: FloodGuard,
        replies: Replies,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.guard = guard
        self.replies = replies
        self.clock = clock
        self._chats: dict[int, _Turn] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        WAITED.set(0.0)
        RATE_WAITED.set(0.0)
        if not isinstance(event, Update):
            return await handler(event, data)
        sender = _sender(event)
        if sender is None:
            return await handler(event, data)
        person_id, chat_id = sender
        verdict = self.guard.admit(person_id, self.clock())
        if verdict is not Verdict.HANDLE:
            log.info("update %s from %s dropped: flooding", event.update_id, person_id)
            await self._dropped(event, data["bot"], verdict is Verdict.DROP_AND_TELL)
            return None
        turn = self._chats.get(chat_id)
        if turn is None:
            turn = self._chats[chat_id] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                return await handler(event, data)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._chats[chat_id]
            self.guard.done(person_id)

    async def _dropped(self, update: Update, bot: Bot, tell: bool) -> None:
        conversation = self.replies.conversation
        if update.callback_query is not None:
            query = update.callback_query
            notice = conversation.slow_down(person(query.from_user)) if tell else None
            await self.replies.answer_press(query, notice)
            return
        message = update.message
        private = message is not None and message.chat.type == ChatType.PRIVATE
        if tell and private and message is not None and message.from_user is not None:
            text = conversation.slow_down(person(message.from_user))
            await self.replies.deliver(bot, message.chat.id, Outcome([Message(text)]))


def _sender(update: Update) -> tuple[int, int] | None:
    """(person, chat) of a message or a press: the updates that get replies."""
    if update.message is not None and update.message.from_user is not None:
        return update.message.from_user.id, update.message.chat.id
    query = update.callback_query
    if query is not None:
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return query.from_user.id, chat_id
    return None
