"""One update at a time per chat, in arrival order, and a person's flood dropped.

A chat's updates are handled one after the other, replies included: the answers to two quick
messages never cross, and a typed answer is only read once the challenge it answers has been
shown and recorded. Different chats go on side by side (within the process's turns, see
``turns.py``).

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
from typing import Protocol, TypeVar

from bot.core.chat import Message, Outcome, Person
from bot.core.flood import FloodGuard, Verdict
from bot.core.incoming import TelegramChat, TelegramUser, person, sender
from bot.serving.replies import RATE_WAITED, Replies
from bot.serving.transport import Transport
from bot.serving.turns import WAITED

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Who sent an update that gets replies (a message or a press), and where."""

    person: Person
    chat_id: int
    private: bool
    press_id: str | None = None  # a press's id; None for a message


class _Chat(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...


class _InChat(Protocol):
    @property
    def chat(self) -> _Chat: ...


class _Message(_InChat, Protocol):
    @property
    def from_user(self) -> TelegramUser | None: ...
    @property
    def sender_chat(self) -> TelegramChat | None: ...


class _Press(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def from_user(self) -> TelegramUser: ...
    @property
    def message(self) -> _InChat | None: ...


class TelegramUpdate(Protocol):
    """The Bot API's Update, as aiogram and python-telegram-bot both read it."""

    @property
    def message(self) -> _Message | None: ...
    @property
    def callback_query(self) -> _Press | None: ...


def origin(update: TelegramUpdate) -> Origin | None:
    """Who sent a message or a press (the updates that get replies), and where (a press on a
    message sent in inline mode, which has no chat, is in the person's own). A message sent on
    behalf of a chat is that chat's: the flood guard counts each anonymous group apart."""
    message = update.message
    if message is not None and message.from_user is not None:
        private = message.chat.type == "private"
        # A chat speaking is itself, not Telegram's placeholder user every such chat shares.
        who = sender(message.from_user, message.sender_chat)
        return Origin(who, message.chat.id, private)
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        chat_id = chat.id if chat is not None else query.from_user.id
        private = chat is None or chat.type == "private"
        return Origin(person(query.from_user), chat_id, private, press_id=query.id)
    return None


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChatOrder:
    """Messages and presses of one chat in order, a flood dropped. Other updates (inline
    queries, poll answers, membership: ``origin`` None) pass through."""

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
        transport: Transport,
        update_id: int,
        origin: Origin | None,
        work: Callable[[], Awaitable[T]],
    ) -> T | None:
        """``work()`` in the chat's order, or None when the update was dropped."""
        WAITED.set(0.0)
        RATE_WAITED.set(0.0)
        if origin is None:
            return await work()
        person_id, chat_id = origin.person.id, origin.chat_id
        verdict = self.guard.admit(person_id, self.clock())
        if verdict is not Verdict.HANDLE:
            log.info("update %s from %s dropped: flooding", update_id, person_id)
            await self._dropped(transport, origin, verdict is Verdict.DROP_AND_TELL)
            return None
        turn = self._chats.get(chat_id)
        if turn is None:
            turn = self._chats[chat_id] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                return await work()
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._chats[chat_id]
            self.guard.done(person_id)

    async def _dropped(self, transport: Transport, origin: Origin, tell: bool) -> None:
        conversation = self.replies.conversation
        if origin.press_id is not None:
            notice = conversation.slow_down(origin.person) if tell else None
            await self.replies.answer_press(transport, origin.press_id, notice)
            return
        if tell and origin.private:
            text = conversation.slow_down(origin.person)
            await self.replies.deliver(transport, origin.chat_id, Outcome([Message(text)]))
