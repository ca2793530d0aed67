"""The aiogram runtime's bots on the local Bot API: pixbot as ``pixbot run`` builds it (aiogram's
dispatcher on the serving path), the bare aiogram echo bot and the durable echo bot."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.lab.bench.updates.api import TOKEN, LocalApi
from bot.lab.bench.updates.runtimes import AIOGRAM, Build, Fed, Shown, record_shown
from bot.lab.bench.updates.runtimes import claim as claim_and_write
from bot.lab.bench.updates.session import LocalSession


def echo_dispatcher(shown: Shown | None = None) -> Dispatcher:
    """The ceiling: a bare aiogram dispatcher that echoes a message (with one button) and
    answers a press with a message; ``shown``: called with each reply once sent."""
    dispatcher = Dispatcher()
    again = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="🔁 Again", callback_data="echo")]]
    )

    async def on_message(message: Message, event_update: Update) -> None:
        sent = await message.answer(html.escape(message.text or "…"), reply_markup=again)
        if shown is not None:
            await shown(event_update.update_id, sent.message_id)

    async def on_press(query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        await query.answer()
        if query.message is not None:
            sent = await bot.send_message(query.message.chat.id, "Pressed.")
            if shown is not None:
                await shown(event_update.update_id, sent.message_id)

    dispatcher.message.register(on_message)
    dispatcher.callback_query.register(on_press)
    return dispatcher


def durable_echo_dispatcher(
    sessions: async_sessionmaker[AsyncSession], writes: int = 0, shown: bool = False
) -> Dispatcher:
    """The floor of any bot that must not handle a redelivered update twice: the echo bot,
    once it has claimed the update's id in a transaction of its own (pixbot's first step);
    ``writes`` and ``shown``: see ``runtimes.claim`` and ``runtimes.record_shown``."""
    dispatcher = echo_dispatcher(record_shown(sessions) if shown else None)

    async def claim(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        update: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(update, Update)
        claimed = await claim_and_write(sessions, update.update_id, writes)
        return await handler(update, data) if claimed else None

    dispatcher.update.outer_middleware(claim)
    return dispatcher


def fed(bot: Bot, dispatcher: Dispatcher) -> Fed:
    """Updates as aiogram's polling and webhook parse them, each fed to the dispatcher."""

    def parse(payload: dict[str, Any]) -> Update:
        return Update.model_validate(payload, context={"bot": bot})

    async def feed(update: Update) -> Any:
        return await dispatcher.feed_update(bot, update)

    return Fed(AIOGRAM, parse, feed)


@asynccontextmanager
async def pixbot(build: Build) -> AsyncIterator[Fed]:
    """aiogram's dispatcher on the serving path, as ``pixbot run`` builds it."""
    from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
    from bot.adapters.telegram.metrics import RequestMetrics

    bot = create_bot(TOKEN, session=LocalSession(build.api))
    try:
        bot.session.middleware(RequestMetrics(build.metrics))
        dispatcher = build_dispatcher(
            build.conversation,
            build.sessions,
            build.settings.delivery_rate,
            build.metrics,
            max_concurrent_updates=build.settings.concurrent_updates(),
            flood=build.flood,
            sleep=build.sleep,
            limiter=build.limiter,
        )
        yield fed(bot, dispatcher)
    finally:
        await bot.session.close()


@asynccontextmanager
async def _bare(api: LocalApi, dispatcher: Dispatcher) -> AsyncIterator[Fed]:
    from bot.adapters.telegram.dispatcher import create_bot

    bot = create_bot(TOKEN, session=LocalSession(api))
    try:
        yield fed(bot, dispatcher)
    finally:
        await bot.session.close()


def echo(api: LocalApi) -> AbstractAsyncContextManager[Fed]:
    return _bare(api, echo_dispatcher())


def durable_echo(
    api: LocalApi,
    sessions: async_sessionmaker[AsyncSession],
    writes: int = 0,
    shown: bool = False,
) -> AbstractAsyncContextManager[Fed]:
    return _bare(api, durable_echo_dispatcher(sessions, writes, shown))
