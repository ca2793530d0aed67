"""Keep sends under Telegram's limits: about 30 messages per second in all, about 1 per second
in one private chat (short bursts pass), 1 per second and 20 per minute in one group (negative
chat ids). Replies and group deliveries share these limits.

The global limit is a virtual schedule (sends spaced ``1/per_second`` apart, never bursting), the
per-chat and per-group limits are sliding windows of the actual send times: a private chat takes
``chat_burst`` sends per ``chat_burst * chat_interval`` seconds, a group one send per
``chat_interval`` and ``group_per_minute`` per ``group_window``.

Replies to people are *urgent*: they queue in the global schedule. Other sends (the delivery
worker's) only take a slot the schedule has free now, so they give way to anyone waiting for a
reply. Edits are not new messages and do not come here.

Time comes from an injected ``clock`` (monotonic seconds) and ``sleep``, so tests run on a fake
clock.

:class:`RateLimiter` keeps its state in this process; ``bot.delivery.redis_limiter`` shares it
between processes through Redis. The worker only knows the :class:`Limiter` protocol.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
CHAT_BURST = 3  # sends a private chat may take at once (a correction and the next challenge)


class Limiter(Protocol):
    """What a delivery worker needs from a rate limiter."""

    async def acquire(self, chat_id: int, urgent: bool = False) -> None:
        """Wait until a send to ``chat_id`` respects every limit, and count it as sent;
        ``urgent`` sends (replies) go before the others."""

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """No send starts before ``seconds`` from now (a 429's ``retry_after``): in every chat,
        or in ``chat_id`` alone."""

    def delay(self, chat_id: int) -> float:
        """Estimated seconds before one more send to ``chat_id`` could start."""


@dataclass
class ChatState:
    """One chat's state in a limiter: what a subclass's ``_wait`` and ``_record`` receive."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sent: deque[float] = field(default_factory=deque)  # recent send times, oldest first
    waiting: int = 0
    paused_until: float = float("-inf")  # a 429 in this chat


class RateLimiter:
    """``await limiter.acquire(chat_id)`` before each send; it returns when the send may go.

    ``per_second`` global sends per second (Telegram allows about 30; 25 leaves headroom; two
    processes with this limiter should each get half, or share a ``RedisRateLimiter``).
    ``chat_interval`` seconds per send in one chat, sustained; a private chat may take
    ``chat_burst`` at once. ``group_per_minute`` sends per ``group_window`` seconds to one group.
    :meth:`pause` stops every send for a while (a 429's ``retry_after``).
    """

    def __init__(
        self,
        per_second: float = 25.0,
        *,
        chat_interval: float = 1.0,
        chat_burst: int = CHAT_BURST,
        group_per_minute: int = 20,
        group_window: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if per_second <= 0 or chat_burst < 1:
            raise ValueError("per_second and chat_burst must be positive")
        self.per_second = per_second
        self.interval = 1.0 / per_second
        self.chat_interval = chat_interval
        self.chat_burst = chat_burst
        self.group_per_minute = group_per_minute
        self.group_window = group_window
        self.clock = clock
        self.sleep = sleep
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")
        self._chats: dict[int, ChatState] = {}
        self._since_prune = 0

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """No send starts before ``seconds`` from now (Telegram's flood control: a 429): in
        every chat, or in ``chat_id`` alone (a reply's 429: the others need not wait)."""
        until = self.clock() + seconds
        if chat_id is not None:
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = self._chats[chat_id] = ChatState()
            chat.paused_until = max(chat.paused_until, until)
            return
        self._paused_until = max(self._paused_until, until)
        self._next_slot = max(self._next_slot, self._paused_until)

    def _ready_at(self, chat_id: int, chat: ChatState, sent: list[float] | None = None) -> float:
        """When the chat's own limits next allow a send."""
        times = list(chat.sent) if sent is None else sent
        ready = chat.paused_until
        if chat_id > 0:  # a private chat: a short burst, then one per interval
            if len(times) >= self.chat_burst:
                ready = max(ready, times[-self.chat_burst] + self.chat_burst * self.chat_interval)
            return ready
        if times:
            ready = max(ready, times[-1] + self.chat_interval)
        if chat_id < 0 and len(times) >= self.group_per_minute:
            ready = max(ready, times[-self.group_per_minute] + self.group_window)
        return ready

    def delay(self, chat_id: int) -> float:
        """Estimated seconds before one more send to ``chat_id`` could start, counting the sends
        already waiting for that chat (not the global schedule). A worker postpones a row rather
        than holding it for long."""
        now = self.clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            return max(0.0, self._paused_until - now)
        times = list(chat.sent)
        start = now
        for _ in range(min(chat.waiting, 200) + 1):
            start = max(now, self._ready_at(chat_id, chat, times))
            times.append(start)
        return max(0.0, start - now, self._paused_until - now)

    async def acquire(self, chat_id: int, urgent: bool = False) -> None:
        """Wait until a send to ``chat_id`` respects every limit, and count it as sent;
        ``urgent`` sends (replies to people) go before the others."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = ChatState()
        chat.waiting += 1
        try:
            async with chat.lock:
                await self._wait(chat_id, chat, urgent)
        finally:
            chat.waiting -= 1
        self._since_prune += 1
        if self._since_prune >= 1024:
            self._prune()

    async def _wait(self, chat_id: int, chat: ChatState, urgent: bool) -> None:
        """Wait for this process's schedule and windows, then count the send (called with the
        chat's lock held; a shared limiter overrides it)."""
        while True:
            now = self.clock()
            ready = max(self._ready_at(chat_id, chat), self._paused_until)
            if ready > now:
                await self.sleep(ready - now)
                continue
            if not urgent and self._next_slot > now:  # replies are queued: let them go first
                await self.sleep(self._next_slot - now)
                continue
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
            if slot > now:
                await self.sleep(slot - now)
                now = self.clock()
            if now >= self._paused_until:  # a 429 may have paused everything meanwhile
                break
        self._record(chat_id, chat, now)

    def _record(self, chat_id: int, chat: ChatState, now: float) -> None:
        chat.sent.append(now)
        keep = self.group_per_minute if chat_id < 0 else self.chat_burst
        while len(chat.sent) > keep:
            chat.sent.popleft()

    def _prune(self) -> None:
        """Forget chats whose windows are over (memory stays bounded by recent chats)."""
        self._since_prune = 0
        horizon = self.clock() - max(self.group_window, self.chat_burst * self.chat_interval)
        idle = [
            chat_id
            for chat_id, chat in self._chats.items()
            if not chat.lock.locked()
            and chat.waiting == 0
            and (not chat.sent or chat.sent[-1] < horizon)
            and chat.paused_until < horizon
        ]
        for chat_id in idle:
            del self._chats[chat_id]
