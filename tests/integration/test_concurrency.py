"""A burst of updates larger than the database pool: they wait their turn
(MAX_CONCURRENT_UPDATES) and every person gets an answer, none the "unavailable" apology."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import Chat, Message, Update, User
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.core.engines import get_engine
from bot.core.i18n import Catalogs
from bot.serving.metrics import Metrics
from content.bank import ContentBank
from storage.database import create_engine, session_factory
from storage.repository import store_factory
from tests.conftest import FakeClock
from tests.telegram import RecordingSession

PEOPLE = 40


def _start(update_id: int, user_id: int) -> Update:
    person = User(id=user_id, is_bot=False, first_name="Ada", language_code="en")
    message = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=person,
        text="/start",
    )
    return Update(update_id=update_id, message=message)


async def test_a_burst_bigger_than_the_pool_waits_its_turn_instead_of_failing(
    database: AsyncEngine,
    bank: ContentBank,
    catalogs: Catalogs,
    make_runtime: Callable[..., Awaitable[Any]],
    session: RecordingSession,
    bot: Bot,
) -> None:
    # One connection, and a pool that gives up after 50 ms: 40 people at once, unbounded,
    # would time out waiting for it.
    engine = create_engine(
        database.url.render_as_string(hide_password=False),
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.05,
    )
    conversation = Conversation(
        bank=bank,
        stores=store_factory(session_factory(engine)),
        engine=get_engine("smart-random"),
        clock=FakeClock(),
        catalogs=catalogs,
    )
    metrics = Metrics()
    dispatcher = await make_runtime(conversation, metrics=metrics, max_concurrent_updates=1)
    ids = itertools.count(1)
    try:
        await asyncio.gather(
            *(dispatcher.feed_update(bot, _start(next(ids), 5000 + n)) for n in range(PEOPLE))
        )
    finally:
        await engine.dispose()

    texts = {r.chat_id: r.text for r in session.take() if isinstance(r, SendMessage)}
    assert len(texts) == PEOPLE
    assert all("Hello Ada" in text for text in texts.values()), set(texts.values())
    assert metrics.registry.get_sample_value("pixbot_errors_total") == 0
    # The wait is visible to the operator: most of the 40 waited for their turn.
    assert metrics.registry.get_sample_value("pixbot_update_wait_seconds_count") == PEOPLE
    assert metrics.registry.get_sample_value("pixbot_update_wait_seconds_sum") > 0
