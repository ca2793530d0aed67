"""What the bot runs beside the updates, from the dispatcher's start to its stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest
from aiogram import Bot

from bot import memory
from bot.core.conversation import Conversation
from bot.serving import lifecycle


async def test_a_running_bot_trims_its_heap_until_it_stops(
    conversation: Conversation,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Bot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trims: list[int] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: trims.append(1) or True)
    monkeypatch.setattr(lifecycle, "trim_loop", partial(memory.trim_loop, interval=0.01))
    dispatcher = await make_runtime(conversation)
    await dispatcher.emit_startup(bot=bot)
    # A trim every 10 ms once started; a loaded machine may take a while to get there (a
    # fixed 0.2 s failed a CI run whose two CPUs were busy with four test processes).
    for _ in range(500):
        if trims:
            break
        await asyncio.sleep(0.01)
    await dispatcher.emit_shutdown()
    assert trims
    count = len(trims)
    await asyncio.sleep(0.05)
    assert len(trims) == count  # stopped with the bot
