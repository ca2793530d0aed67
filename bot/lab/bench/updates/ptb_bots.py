"""The python-telegram-bot runtime's bots on the local Bot API: pixbot as ``pixbot run`` builds
it (PTB's ``Application`` on the serving path), the bare PTB echo bot and the durable echo bot."""

from __future__ import annotations

import html
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters.ptb.application import DEFAULTS, build_application
from bot.lab.bench.updates.api import CURRENT_INBOX, TOKEN, LocalApi
from bot.lab.bench.updates.request import LocalRequest
from bot.lab.bench.updates.runtimes import PTB, Build, Fed, Shown, record_shown
from bot.lab.bench.updates.runtimes import claim as claim_and_write

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE


def fed(application: AnyApplication) -> Fed:
    """Updates as PTB's polling and webhook parse them (``Update.de_json``), each handled as
    its polling hands it on: through the application's update processor (its
    ``concurrent_updates`` bound), then ``process_update``. The wait for that bound is the
    inbox's ``queued``: a wait for a turn, not handling."""
    bot = application.bot
    processor = application.update_processor

    def parse(payload: dict[str, Any]) -> Update:
        return Update.de_json(payload, bot)

    async def feed(update: Update) -> None:
        arrived = time.perf_counter()

        async def process() -> None:
            inbox = CURRENT_INBOX.get()
            if inbox is not None:
                inbox.queued += time.perf_counter() - arrived
            await application.process_update(update)

        await processor.process_update(update, process())

    return Fed(PTB, parse, feed)


@asynccontextmanager
async def started(application: AnyApplication) -> AsyncIterator[Fed]:
    """The application initialised (its bot's getMe) until the run ends."""
    await application.initialize()
    try:
        yield fed(application)
    finally:
        await application.shutdown()


@asynccontextmanager
async def pixbot(build: Build) -> AsyncIterator[Fed]:
    """PTB's application on the serving path, as ``pixbot run`` builds it."""
    from bot.serving.wiring import serving

    wired = serving(
        build.conversation,
        build.settings.delivery_rate,
        build.metrics,
        max_concurrent_updates=build.settings.concurrent_updates(),
        limiter=build.limiter,
        flood=build.flood,
        sleep=build.sleep,
    )
    runtime = build_application(
        TOKEN, wired, request=LocalRequest(build.api), sessions=build.sessions
    )
    async with started(runtime.application) as bot:
        yield bot


def echo_application(api: LocalApi, shown: Shown | None = None) -> AnyApplication:
    """The ceiling: a bare PTB application that echoes a message (with one button) and answers
    a press with a message; updates handled side by side, as PTB's ``concurrent_updates``;
    ``shown``: called with each reply once sent."""
    request = LocalRequest(api)
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .defaults(DEFAULTS)
        .request(request)
        .get_updates_request(request)
        .concurrent_updates(True)
        .build()
    )
    again = InlineKeyboardMarkup([[InlineKeyboardButton("🔁 Again", callback_data="echo")]])

    async def on_message(update: Update, context: Context) -> None:
        message = update.message
        if message is not None:
            text = html.escape(message.text or "…")
            sent = await context.bot.send_message(message.chat.id, text, reply_markup=again)
            if shown is not None:
                await shown(update.update_id, sent.message_id)

    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.message is not None:
            sent = await context.bot.send_message(query.message.chat.id, "Pressed.")
            if shown is not None:
                await shown(update.update_id, sent.message_id)

    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_message))
    application.add_handler(CallbackQueryHandler(on_press))
    return application


def echo(api: LocalApi) -> AbstractAsyncContextManager[Fed]:
    return started(echo_application(api))


def durable_echo(
    api: LocalApi,
    sessions: async_sessionmaker[AsyncSession],
    writes: int = 0,
    shown: bool = False,
) -> AbstractAsyncContextManager[Fed]:
    """The echo bot, once it has claimed the update's id in a transaction of its own (a
    handler of the first group; an update already claimed goes no further); ``writes`` and
    ``shown``: see ``runtimes.claim`` and ``runtimes.record_shown``."""
    application = echo_application(api, record_shown(sessions) if shown else None)

    async def claim(update: object, _: Context) -> None:
        assert isinstance(update, Update)
        if not await claim_and_write(sessions, update.update_id, writes):
            raise ApplicationHandlerStop

    application.add_handler(TypeHandler(Update, claim), group=-1)
    return started(application)
