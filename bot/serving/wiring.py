"""The serving path built once, the same for every runtime: the shared limiter (Redis-backed
with ``REDIS_URL``), the turns, the replies, the chat order with its flood guard, the update
pipeline and the group administrators' cache."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.conversation import Conversation
from bot.core.flood import FloodGuard
from bot.delivery.limiter import Clock, RateLimiter, Sleep
from bot.serving.admins import AdminCache
from bot.serving.metrics import Metrics
from bot.serving.order import ChatOrder
from bot.serving.replies import Replies
from bot.serving.turns import Turns
from bot.serving.updates import Updates
from bot.settings import MAX_CONCURRENT_UPDATES

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True)
class Serving:
    replies: Replies
    updates: Updates
    admins: AdminCache
    metrics: Metrics | None


def serving(
    conversation: Conversation,
    delivery_rate: float = 25.0,
    metrics: Metrics | None = None,
    redis: Redis | None = None,
    max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
    limiter: RateLimiter | None = None,
    flood: FloodGuard | None = None,
    bot_id: int = 0,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> Serving:
    """Replies, reminders and group deliveries share one ``limiter`` (Telegram's limits;
    replies first), made here unless given: ``delivery_rate`` messages per second in all,
    shared by the bot's processes through ``redis`` when given, under the keys of ``bot_id``
    (the group administrators' cache too). At most ``max_concurrent_updates`` updates are
    handled at once, the others wait their turn; a chat's updates are handled in order, and a
    person's flood is dropped (``flood``). ``clock`` and ``sleep`` (monotonic seconds) time
    these limits."""
    admins: AdminCache
    if redis is None:
        admins = AdminCache()
        limiter = limiter or RateLimiter(delivery_rate, clock=clock, sleep=sleep)
    else:  # the Redis client's modules load only in a bot that uses Redis
        from bot.delivery.redis_limiter import RedisRateLimiter, limiter_prefix
        from bot.serving.redis_admins import RedisAdminCache

        admins = RedisAdminCache(redis)
        limiter = limiter or RedisRateLimiter(
            redis, delivery_rate, prefix=limiter_prefix(bot_id), clock=clock, sleep=sleep
        )
    replies = Replies(conversation, limiter, Turns(max_concurrent_updates, metrics), sleep)
    order = ChatOrder(flood or FloodGuard(), replies, clock)
    return Serving(replies, Updates(replies, order, metrics), admins, metrics)
