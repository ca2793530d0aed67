"""Telegram's limits shared by every process of one bot, through Redis (``REDIS_URL``).

Each admission is one Lua script, so it is atomic across processes, and it reads Redis's own
clock (``TIME``), so the processes' clocks do not matter. Per bot (a key prefix) Redis holds:

- ``schedule``: the global virtual schedule, the next free slot (sends spaced ``1/per_second``
  apart whoever makes them);
- ``paused``: until when flood control (a 429 seen by any process) stops every send;
- ``paused:<id>``: until when a 429 in that chat stops its sends;
- ``chat:<id>``: the slot of a group's last send (1 per second per group);
- ``window:<id>``: a sorted set of the chat's recent send slots (20 per minute in a group; a
  short burst, then 1 per second, in a private chat).

Replies (``urgent``) queue in the schedule; other sends take only a slot that is free now, so
they give way to the replies of every process.

Times are integer microseconds of Redis's clock. Every key expires once it no longer matters,
so Redis's memory stays bounded by the chats of the last minute.

Sends keep going when Redis is out of reach: the call falls back to this process's own limiter
(the :class:`RateLimiter` this class extends) with a warning, and Redis is tried again a few
seconds later. Availability wins over strictness: meanwhile each process keeps the full rate on
its own, and Telegram's 429s, which every process obeys, are the last line.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Sequence
from typing import Any, Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.delivery.limiter import CHAT_BURST, ChatState, Clock, RateLimiter, Sleep

log = logging.getLogger(__name__)

US: Final = 1_000_000  # microseconds per second
# Errors that mean "Redis did not answer as it should": fall back, never fail a send.
UNAVAILABLE: Final = (RedisError, OSError, TimeoutError)

# KEYS: schedule, paused, chat, window, chat paused. ARGV: interval, chat interval (0: none),
# window limit (0: none), window (microseconds), a unique member for the window, '1' for an
# urgent send.
# Returns {1, wait} for a slot ``wait`` µs from now, or {0, wait, reason} to try again later.
ADMIT: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local chat_interval = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then
  return {0, paused - now, 'paused'}
end
local ready = tonumber(redis.call('GET', KEYS[5]) or '0')
local last = redis.call('GET', KEYS[3])
if last then
  ready = math.max(ready, tonumber(last) + chat_interval)
end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', string.format('%.0f', now - window))
  local count = redis.call('ZCARD', KEYS[4])
  if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[4], count - limit, count - limit, 'WITHSCORES')
    ready = math.max(ready, tonumber(oldest[2]) + window)
  end
end
if ready > now then
  return {0, ready - now, 'chat'}
end
local scheduled = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[6] ~= '1' and scheduled > now then
  return {0, scheduled - now, 'busy'}
end
local slot = math.max(now, scheduled)
local after = slot + interval
redis.call('SET', KEYS[1], string.format('%.0f', after),
  'PX', math.ceil((after - now) / 1000) + 60000)
if chat_interval > 0 then
  redis.call('SET', KEYS[3], string.format('%.0f', slot),
    'PX', math.ceil((slot - now + chat_interval) / 1000) + 1000)
end
if limit > 0 then
  redis.call('ZADD', KEYS[4], string.format('%.0f', slot), ARGV[5])
  redis.call('PEXPIRE', KEYS[4], math.ceil((slot - now + window) / 1000) + 1000)
end
return {1, slot - now}
"""

# KEYS: paused, group window. ARGV: the member of the slot just waited for ('' for none), '1'
# if this process is paused. Gives the member back when the send will not go now. Returns how
# many µs the shared pause still lasts (0: not paused).
RECHECK: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = math.max(0, paused - now)
if (left > 0 or ARGV[2] == '1') and ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return left
"""

# KEYS: paused, schedule. ARGV: the pause (µs). Extends the pause and pushes the schedule past
# it (a pause never shortens an earlier, longer one). Returns the pause left (µs).
PAUSE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ends = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if ends > paused then
  redis.call('SET', KEYS[1], string.format('%.0f', ends),
    'PX', math.ceil((ends - now) / 1000) + 1000)
else
  ends = paused
end
local slot = tonumber(redis.call('GET', KEYS[2]) or '0')
if ends > slot then
  redis.call('SET', KEYS[2], string.format('%.0f', ends),
    'PX', math.ceil((ends - now) / 1000) + 60000)
end
return ends - now
"""


# KEYS: the chat's pause. ARGV: the pause (µs). Extends it (never shortens an earlier one).
CHAT_PAUSE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ends = math.max(now + tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], string.format('%.0f', ends),
  'PX', math.ceil((ends - now) / 1000) + 1000)
return ends - now
"""


def limiter_prefix(bot_id: int) -> str:
    """Keys of one bot: Telegram's flood control is per bot token. The braces are a Redis
    Cluster hash tag, so one script's keys live on one node."""
    return f"pixbot:{{{bot_id}}}:limiter:"


class RedisRateLimiter(RateLimiter):
    """A :class:`RateLimiter` whose schedule, pause and windows live in Redis, shared by every
    process with the same ``prefix``. ``per_second`` is then the rate of all of them together.

    In this process it still queues the sends of one chat behind each other (one Redis call per
    send, not one per waiting coroutine), mirrors the pause (``pause`` is synchronous: it takes
    effect here at once and reaches Redis a moment later) and keeps the recent sends for
    :meth:`delay`'s estimate. When Redis is out of reach, the in-process limits apply for
    ``retry_after`` seconds, then Redis is tried again.
    """

    def __init__(
        self,
        redis: Redis,
        per_second: float = 25.0,
        *,
        prefix: str,
        chat_interval: float = 1.0,
        chat_burst: int = CHAT_BURST,
        group_per_minute: int = 20,
        group_window: float = 60.0,
        retry_after: float = 5.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(
            per_second,
            chat_interval=chat_interval,
            chat_burst=chat_burst,
            group_per_minute=group_per_minute,
            group_window=group_window,
            clock=clock,
            sleep=sleep,
        )
        self.redis = redis
        self.prefix = prefix
        self.retry_after = retry_after
        self._admit = redis.register_script(ADMIT)
        self._recheck = redis.register_script(RECHECK)
        self._pause = redis.register_script(PAUSE)
        self._chat_pause = redis.register_script(CHAT_PAUSE)
        self._token = secrets.token_hex(4)  # tells this process's window entries apart
        self._count = 0
        self._local_until = float("-inf")  # Redis failed: in-process limits until then
        self._failing = False
        self._publishing: set[asyncio.Task[None]] = set()

    def _keys(self, chat_id: int) -> list[str]:
        return [
            f"{self.prefix}schedule",
            f"{self.prefix}paused",
            f"{self.prefix}chat:{chat_id}",
            f"{self.prefix}window:{chat_id}",
            f"{self.prefix}paused:{chat_id}",
        ]

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Pause this process now, and every process once Redis has it."""
        super().pause(seconds, chat_id)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: nothing to share it with
            return
        task = loop.create_task(self._publish_pause(seconds, chat_id))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _publish_pause(self, seconds: float, chat_id: int | None) -> None:
        try:
            if chat_id is None:
                keys = [f"{self.prefix}paused", f"{self.prefix}schedule"]
                await self._pause(keys=keys, args=[round(seconds * US)])
            else:
                keys = [f"{self.prefix}paused:{chat_id}"]
                await self._chat_pause(keys=keys, args=[round(seconds * US)])
        except UNAVAILABLE as error:
            self._unavailable(error)

    async def _wait(self, chat_id: int, chat: ChatState, urgent: bool) -> None:
        if self.clock() >= self._local_until:
            try:
                await self._wait_shared(chat_id, urgent)
            except UNAVAILABLE as error:
                self._unavailable(error)
            else:
                if self._failing:
                    self._failing = False
                    log.info("Redis answers again: the rate limits are shared again")
                self._record(chat_id, chat, self.clock())
                return
        await super()._wait(chat_id, chat, urgent)

    def _chat_limits(self, chat_id: int) -> tuple[float, int, float]:
        """The chat's interval between two sends, window limit and window (seconds)."""
        if chat_id < 0:
            return self.chat_interval, self.group_per_minute, self.group_window
        return 0.0, self.chat_burst, self.chat_burst * self.chat_interval

    async def _wait_shared(self, chat_id: int, urgent: bool) -> None:
        chat_interval, limit, window = self._chat_limits(chat_id)
        keys = self._keys(chat_id)
        args: list[int | str] = [
            round(self.interval * US),
            round(chat_interval * US),
            limit,
            round(window * US),
            "",
            "1" if urgent else "0",
        ]
        while True:
            chat = self._chats.get(chat_id)
            paused = max(self._paused_until, chat.paused_until if chat else float("-inf"))
            ahead = paused - self.clock()
            if ahead > 0:  # a 429 here: its pause may not have reached Redis yet
                await self.sleep(ahead)
                continue
            self._count += 1
            member = f"{self._token}:{self._count}"
            args[4] = member
            granted, wait, reason = _reply(await self._admit(keys=keys, args=args))
            if not granted:
                if reason == "paused":  # another process saw a 429: delay() should know
                    super().pause(wait)
                await self.sleep(wait)
                continue
            if wait > 0:
                await self.sleep(wait)
            paused_here = self._paused_until > self.clock()
            if wait <= 0 and not paused_here:
                return
            # A 429 may have paused everything meanwhile (here or in another process): then the
            # slot is given up and the send waits for the pause like the others.
            left = int(
                await self._recheck(
                    keys=[keys[1], keys[3]],
                    args=[member, "1" if paused_here else "0"],
                )
            )
            if left > 0:
                super().pause(left / US)
            elif not paused_here:
                return

    def _unavailable(self, error: BaseException) -> None:
        if not self._failing:
            self._failing = True
            log.warning(
                "Redis is out of reach (%s: %s): rate limits kept in this process only; "
                "trying Redis again in %g s",
                type(error).__name__,
                error,
                self.retry_after,
            )
        self._local_until = self.clock() + self.retry_after


def _reply(reply: Sequence[Any]) -> tuple[bool, float, str]:
    """The admission script's answer: granted, seconds to wait, why not."""
    reason = reply[2] if len(reply) > 2 else b""
    if isinstance(reason, bytes):
        reason = reason.decode()
    return bool(int(reply[0])), int(reply[1]) / US, str(reason)
