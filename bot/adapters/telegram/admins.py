"""Who administers a group, asked with getChatMember and remembered for a minute (a cache,
not state: losing it costs one more API call)."""

from __future__ import annotations

import time
from typing import Final

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError

TTL: Final = 60.0
MAX_ENTRIES: Final = 10_000
ADMIN_STATUSES: Final = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR)


class AdminCache:
    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = time.monotonic()
        cached = self._entries.get((chat_id, user_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
            admin = member.status in ADMIN_STATUSES
        except TelegramAPIError:  # not visible to the bot: treat as a member
            admin = False
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(chat_id, user_id)] = (now + self.ttl, admin)
        return admin
