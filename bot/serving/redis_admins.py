"""The group administrators' cache in Redis, shared by every process of the bot (``REDIS_URL``);
imported only when Redis is configured, so a worker without one never loads the Redis client."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.serving.admins import TTL, AdminCache, Members, ask_telegram

log = logging.getLogger(__name__)


class RedisAdminCache(AdminCache):
    """The answers live in Redis (``SET key 0|1 PX ttl``), shared by every process of the bot.
    When Redis does not answer, this process's own cache (which asks Telegram) stands in."""

    def __init__(self, redis: Redis, ttl: float = TTL, *, prefix: str = "pixbot:admins:") -> None:
        super().__init__(ttl)
        self.redis = redis
        self.prefix = prefix
        self._failing = False

    async def is_admin(self, bot: Members, chat_id: int, user_id: int) -> bool:
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
