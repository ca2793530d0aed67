"""What the bot runs beside the updates, from the dispatcher's start to its stop."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest

from bot import memory
from bot.adapters.telegram import build_dispatcher, create_bot
from bot.core.dialogue import Conversation
from bot.serving import lifecycle
from tests.conftest import TOKEN
from tests.telegram import RecordingSession


async def test_a_running_bot_trims_its_heap_until_it_stops(
    conversation: Conversation, session: RecordingSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    trims: list[int] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: trims.append(1) or True)
    monkeypatch.setattr(lifecycle, "trim_loop", partial(memory.trim_loop, interval=0.01))
    dispatcher = build_dispatcher(conversation)
    bot = create_bot(TOKEN, session=session)
    try:
        await dispatcher.emit_startup(bot=bot)
        await asyncio.sleep(0.2)
        await dispatcher.emit_shutdown()
        assert trims
        count = len(trims)
        await asyncio.sleep(0.05)
        assert len(trims) == count  # stopped with the bot
    finally:
        await bot.session.close()
