"""Processes of one bot coordinate through Redis (REDIS_URL): two limiters on one Redis keep
Telegram's limits together, a 429 seen by one pauses the other, the group administrators' cache
is shared, and a Redis gone at run time slows nothing down and breaks nothing.

Each "process" is a limiter or cache instance of its own (its own in-process state), against the
real Redis at TEST_REDIS_URL. The limits are scaled down (short windows, high rates) so the whole
file runs in a few seconds of real time.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetChatMember

from bot.delivery.redis_limiter import RedisRateLimiter
from bot.serving.process import open_redis, shown_redis_url
from bot.serving.redis_admins import RedisAdminCache
from tests.conftest import REDIS_URL
from tests.relay import Proxy


async def sends(
    limiter: RedisRateLimiter,
    chats: list[int],
    log: list[tuple[float, str, int]],
    concurrent: bool = True,
) -> None:
    """Acquire for each chat: all at once (one coroutine per chat, like the worker's jobs), or
    one after the other."""
    name = str(id(limiter))

    async def one(chat_id: int) -> None:
        await limiter.acquire(chat_id)
        log.append((time.monotonic(), name, chat_id))

    if concurrent:
        await asyncio.gather(*(one(chat_id) for chat_id in chats))
    else:
        for chat_id in chats:
            await one(chat_id)


def most_in_window(times: list[float], window: float) -> int:
    """Most sends whose times fall within one half-open window of ``window`` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_two_processes_share_the_global_rate(redis: Any, redis_prefix: str) -> None:
    rate = 50.0
    first = RedisRateLimiter(redis, rate, prefix=redis_prefix, chat_interval=0.0)
    second = RedisRateLimiter(redis, rate, prefix=redis_prefix, chat_interval=0.0)
    log: list[tuple[float, str, int]] = []
    started = time.monotonic()
    await asyncio.gather(
        sends(first, list(range(1, 21)), log),  # 20 at once
        sends(second, list(range(101, 141)), log, concurrent=False),  # 40 one by one
    )
    elapsed = time.monotonic() - started
    times = [moment for moment, _, _ in log]
    assert len(times) == 60
    # 60 sends spaced 1/50 s apart whoever makes them: 59 intervals, 1.18 s at least. Each
    # process on its own limiter would have been done in 0.8 s, sending up to 100 a second.
    assert elapsed >= 59 / rate - 0.05
    assert elapsed < 3.0
    assert most_in_window(times, 0.5) <= rate * 0.5 + 2


async def test_two_processes_share_the_chat_and_group_limits(
    redis: Any, redis_prefix: str
) -> None:
    # Scaled: 1 send per 0.1 s in a chat, 5 per 1 s in a group (Telegram: 1/s, 20/min).
    options: dict[str, Any] = {
        "prefix": redis_prefix,
        "chat_interval": 0.1,
        "group_per_minute": 5,
        "group_window": 1.0,
    }
    first = RedisRateLimiter(redis, 200.0, **options)
    second = RedisRateLimiter(redis, 200.0, **options)
    group, person = -42, 7
    log: list[tuple[float, str, int]] = []
    started = time.monotonic()
    await asyncio.gather(
        sends(first, [group] * 5 + [person] * 3, log),
        sends(second, [group] * 5 + [person] * 3, log),
    )
    elapsed = time.monotonic() - started
    to_group = sorted(moment for moment, _, chat in log if chat == group)
    to_person = sorted(moment for moment, _, chat in log if chat == person)
    assert len(to_group) == 10 and len(to_person) == 6
    assert {name for _, name, chat in log if chat == group} == {str(id(first)), str(id(second))}
    # One group: never two sends closer than the chat interval, whichever process sent them,
    # and 5 per window together (the sixth waits for the first to leave the window).
    gaps = [later - earlier for earlier, later in itertools.pairwise(to_group)]
    assert min(gaps) >= 0.1 - 0.01
    assert most_in_window(to_group, 0.97) == 5
    assert to_group[5] - to_group[0] >= 1.0 - 0.02
    # A private chat: a burst of 3, then 1 per interval (3 per 0.3 s), whoever sends.
    assert most_in_window(to_person, 0.3 - 0.02) == 3
    assert to_person[3] - to_person[0] >= 0.3 - 0.02
    assert to_person[-1] - to_person[0] < 0.9
    assert elapsed < 2.5
    # Every key expires (Redis's memory stays bounded by the recent chats).
    keys = [key async for key in redis.scan_iter(match=f"{redis_prefix}*")]
    assert len(keys) == 4  # the schedule, the group's last send, two chats' windows
    for key in keys:
        assert 0 < await redis.pttl(key) <= 62_000


async def test_a_429_in_one_process_pauses_the_other(redis: Any, redis_prefix: str) -> None:
    first = RedisRateLimiter(redis, 100.0, prefix=redis_prefix)
    second = RedisRateLimiter(redis, 100.0, prefix=redis_prefix)
    await second.acquire(1)
    first.pause(0.6)  # the worker's reaction to a 429 (synchronous)
    await asyncio.sleep(0.05)  # the other process's next send comes a moment later
    started = time.monotonic()
    await second.acquire(2)
    waited = time.monotonic() - started
    assert 0.45 <= waited < 1.0
    # And the other way round; a paused process's own delay estimate counts the pause.
    second.pause(0.3)
    assert second.delay(3) == pytest.approx(0.3, abs=0.05)
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await first.acquire(3)
    assert time.monotonic() - started >= 0.2


class StubBot:
    """Just what the admin cache uses: the bot id and getChatMember, counted."""

    def __init__(self, admins: set[tuple[int, int]], bot_id: int = 123456789) -> None:
        self.id = bot_id
        self.admins = admins
        self.calls: list[tuple[int, int]] = []

    async def get_chat_member(self, chat_id: int, user_id: int) -> Any:
        self.calls.append((chat_id, user_id))
        if user_id < 0:
            raise TelegramBadRequest(GetChatMember(chat_id=chat_id, user_id=user_id), "no user")
        admin = (chat_id, user_id) in self.admins
        status = ChatMemberStatus.ADMINISTRATOR if admin else ChatMemberStatus.MEMBER
        return SimpleNamespace(status=status)


async def test_the_admin_cache_is_shared_between_processes(redis: Any, redis_prefix: str) -> None:
    group, admin, member = -100, 1, 2
    one = RedisAdminCache(redis, prefix=f"{redis_prefix}admins:")
    other = RedisAdminCache(redis, prefix=f"{redis_prefix}admins:")
    bot = StubBot({(group, admin)})
    assert await one.is_admin(bot, group, admin) is True  # type: ignore[arg-type]
    assert await one.is_admin(bot, group, member) is False  # type: ignore[arg-type]
    assert await one.is_admin(bot, group, -5) is False  # type: ignore[arg-type]
    assert len(bot.calls) == 3
    # The other process asks Telegram nothing: the answers are in Redis, for a minute.
    assert await other.is_admin(bot, group, admin) is True  # type: ignore[arg-type]
    assert await other.is_admin(bot, group, member) is False  # type: ignore[arg-type]
    assert await other.is_admin(bot, group, -5) is False  # type: ignore[arg-type]
    assert len(bot.calls) == 3
    ttl = await redis.pttl(f"{redis_prefix}admins:{bot.id}:{group}:{admin}")
    assert 55_000 < ttl <= 60_000
    # Another bot sharing the Redis has answers of its own.
    another = StubBot(set(), bot_id=987654321)
    assert await other.is_admin(another, group, admin) is False  # type: ignore[arg-type]
    assert another.calls == [(group, admin)]


@pytest.fixture
async def proxy(redis: Any) -> Any:
    assert REDIS_URL is not None
    parts = urlsplit(REDIS_URL)
    relay = Proxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await relay.start()
    yield relay
    await relay.stop()


async def test_redis_gone_at_run_time_falls_back_to_this_process(
    redis: Any, redis_prefix: str, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    assert REDIS_URL is not None
    db = urlsplit(REDIS_URL).path or "/0"
    client = await open_redis(f"redis://127.0.0.1:{proxy.port}{db}")  # pixbot run's client
    assert client is not None
    try:
        limiter = RedisRateLimiter(
            client, 100.0, prefix=redis_prefix, chat_interval=0.2, retry_after=0.3
        )
        admins = RedisAdminCache(client, prefix=f"{redis_prefix}admins:")
        bot = StubBot({(-1, 1)})
        await limiter.acquire(-5)
        assert await redis.exists(f"{redis_prefix}chat:-5") == 1  # shared while Redis answers

        await proxy.stop()  # Redis is gone
        caplog.set_level(logging.WARNING)
        started = time.monotonic()
        await limiter.acquire(-5)  # no exception: this process's own limits
        await limiter.acquire(-5)
        limiter.pause(0.05)  # publishing the pause fails quietly too
        await asyncio.sleep(0.06)
        await limiter.acquire(-6)
        elapsed = time.monotonic() - started
        # The chat interval still holds in the fallback (it knew of the shared send before).
        assert 0.35 <= elapsed < 1.5
        assert "Redis is out of reach" in caplog.text
        assert caplog.text.count("rate limits kept in this process") == 1  # once, not per send
        # The admin cache asks Telegram instead.
        assert await admins.is_admin(bot, -1, 1) is True  # type: ignore[arg-type]
        assert bot.calls == [(-1, 1)]

        await proxy.start()  # Redis is back (same port): shared again after retry_after
        await asyncio.sleep(0.35)
        caplog.set_level(logging.INFO)
        await limiter.acquire(-7)
        assert await redis.exists(f"{redis_prefix}chat:-7") == 1
        assert "Redis answers again" in caplog.text
    finally:
        await client.aclose()


async def test_an_unreachable_redis_at_start_is_one_line_without_the_password() -> None:
    with pytest.raises(SystemExit) as stopped:
        await open_redis("redis://:s3cret@127.0.0.1:1/0")
    message = str(stopped.value.code)
    assert message.startswith("pixbot: cannot reach Redis at redis://***@127.0.0.1:1/0: ")
    assert "\n" not in message and "s3cret" not in message
    assert shown_redis_url("redis://u:p@h:6380/2?password=x") == "redis://***@h:6380/2?***"
    assert await open_redis(None) is None and await open_redis("") is None


async def test_pixbot_run_wires_the_shared_limiter_and_cache(
    redis: Any,
    database: Any,
    conversation: Any,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Any,
) -> None:
    from bot.serving.lifecycle import delivery_worker
    from storage.database import session_factory
    from tests.conftest import FakeClock
    from tests.telegram import transport_of

    dispatcher = await make_runtime(conversation, delivery_rate=20.0, redis=redis, bot_id=bot.id)
    assert isinstance(dispatcher["admins"], RedisAdminCache)
    limiter = dispatcher["replies"].limiter
    sessions = session_factory(database)
    transport = transport_of(dispatcher, bot)
    worker = delivery_worker(transport, conversation, sessions, "w", FakeClock(), limiter)
    assert worker.limiter is limiter  # replies and group deliveries share Telegram's limits
    assert isinstance(worker.limiter, RedisRateLimiter)
    assert worker.limiter.per_second == 20.0
    assert worker.limiter.prefix == "pixbot:{123456789}:limiter:"


async def test_replies_of_one_process_go_before_the_posts_of_another(
    redis: Any, redis_prefix: str
) -> None:
    rate = 20.0
    posting = RedisRateLimiter(redis, rate, prefix=redis_prefix)
    replying = RedisRateLimiter(redis, rate, prefix=redis_prefix)
    log: list[tuple[float, str, int]] = []
    posts = asyncio.create_task(sends(posting, [-(100 + i) for i in range(30)], log))
    await asyncio.sleep(0.3)  # posts are going out, 20 a second, 1.5 s of them
    started = time.monotonic()
    for person in range(1, 6):
        await replying.acquire(person, urgent=True)
    waited = time.monotonic() - started
    await posts
    # Five replies at 20 a second take about 0.25 s, however many posts were waiting.
    assert waited < 0.6
    assert most_in_window([moment for moment, _, _ in log], 0.5) <= rate * 0.5 + 2
