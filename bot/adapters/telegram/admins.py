"""Who administers a group, asked with getChatMember and remembered for a minute (a cache,
not state: losing it costs one more API call). :class:`AdminCache` remembers in this process;
:class:`RedisAdminCache` in Redis, for every process of the bot (``REDIS_URL``)."""

from __future__ import annotations

import logging
import time
from typing import Final

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from redis.asyncio import Redis
from redis.exceptions import RedisError

TTL: Final = 60.0
MAX_ENTRIES: Final = 10_000
ADMIN_STATUSES: Final = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR)
log = logging.getLogger(__name__)


class AdminCache:
    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = time.monotonic()
        cached = self._entries.get((chat_id, user_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        admin = await ask_telegram(bot, chat_id, user_id)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(chat_id, user_id)] = (now + self.ttl, admin)
        return admin


class RedisAdminCache(AdminCache):
    """The answers live in Redis (``SET key 0|1 PX ttl``), shared by every process of the bot.
    When Redis does not answer, this process's own cache (which asks Telegram) stands in."""

    def __init__(self, redis: Redis, ttl: float = TTL, *, prefix: str = "pixbot:admins:") -> None:
        super().__init__(ttl)
        self.redis = redis
        self.prefix = prefix
        self._failing = False

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key = f"{self.prefix}{bot.id}:{chat_id}:{user_id}"
        try:
            cached = await self.redis.get(key)
        except (RedisError, OSError) as error:
            self._unavailable(error)
            return await super().is_admin(bot, chat_id, user_id)
        if self._failing:
            self._failing = False
            log.info("Redis answers again: group administrators are cached there again")
        if cached is not None:
            return bool(cached == b"1" or cached == "1")
        admin = await ask_telegram(bot, chat_id, user_id)
        if self.ttl > 0:
            try:
                await self.redis.set(key, "1" if admin else "0", px=max(1, round(self.ttl * 1000)))
            except (RedisError, OSError) as error:
                self._unavailable(error)
        return admin

    def _unavailable(self, error: BaseException) -> None:
        if not self._failing:
            self._failing = True
            log.warning(
                "Redis is out of reach (%s: %s): group administrators cached in this process",
                type(error).__name__,
                error,
            )


async def ask_telegram(bot: Bot, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramAPIError:  # not visible to the bot: treat as a member
        return False
    return member.status in ADMIN_STATUSES
