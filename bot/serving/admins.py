"""Who administers a group, asked with getChatMember and remembered for a minute (a cache,
not state: losing it costs one more API call). :class:`AdminCache` remembers in this process;
:class:`bot.serving.redis_admins.RedisAdminCache` in Redis, for every process of the bot
(``REDIS_URL``).

Runtime-neutral: aiogram's ``Bot`` and python-telegram-bot's both fit :class:`Members` (the bot's
``id`` and ``get_chat_member``, whose answer has a ``status``)."""

from __future__ import annotations

import logging
import time
from enum import Enum
from typing import Any, Final, Protocol

from bot.core.chat import ChatKind, Command, Event, Press

TTL: Final = 60.0
MAX_ENTRIES: Final = 10_000
ADMIN_STATUSES: Final = ("creator", "administrator")
log = logging.getLogger(__name__)


class Members(Protocol):
    """What the cache asks: a bot's id and getChatMember."""

    @property
    def id(self) -> int: ...

    async def get_chat_member(self, chat_id: int, user_id: int) -> Any: ...


class AdminCache:
    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Members, chat_id: int, user_id: int) -> bool:
        now = time.monotonic()
        cached = self._entries.get((chat_id, user_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        admin = await ask_telegram(bot, chat_id, user_id)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(chat_id, user_id)] = (now + self.ttl, admin)
        return admin


def asks_admin(event: Event) -> bool:
    """Whether to ask Telegram if the sender of ``event`` administers its group: for a
    person's group command or button. A chat speaking (``Person.chat``) is never asked: the
    group itself is its anonymous administrator, a channel administers nothing, and Telegram's
    placeholder user in their messages (@GroupAnonymousBot) is nobody's member."""
    return (
        event.chat is ChatKind.GROUP
        and isinstance(event.input, Command | Press)
        and not event.person.chat
    )


async def ask_telegram(bot: Members, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except Exception as error:  # the library's API error: not visible to the bot, a member
        log.info("could not ask whether %s administers %s: %s", user_id, chat_id, error)
        return False
    status = member.status
    return (status.value if isinstance(status, Enum) else status) in ADMIN_STATUSES
