"""Build the Bot and the Dispatcher (never at import time)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Final

from aiogram import Bot, Dispatcher, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods.base import Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.telegram.handlers import build_router
from bot.adapters.telegram.lifecycle import attach
from bot.adapters.telegram.order import Serve
from bot.core.conversation import Conversation
from bot.core.flood import FloodGuard
from bot.delivery.limiter import Clock, RateLimiter, Sleep
from bot.serving.metrics import Metrics
from bot.serving.wiring import Serving, serving
from bot.settings import MAX_CONCURRENT_UPDATES

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULTS = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
# aiogram parses each answer with ``Response[<returned type>]``; pydantic keeps such generic
# classes only while something references them and rebuilds one (1-4 ms) after each garbage
# collection. Keep those of the methods this bot calls alive (`pixbot bench updates`: 8-18 %
# less CPU per update).
RESPONSE_TYPES: Final = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        methods.AnswerCallbackQuery,
        methods.AnswerInlineQuery,
        methods.DeleteWebhook,
        methods.EditMessageReplyMarkup,
        methods.EditMessageText,
        methods.GetChatMember,
        methods.GetMe,
        methods.GetUpdates,
        methods.SendDocument,
        methods.SendMessage,
        methods.SendPhoto,
        methods.SendPoll,
        methods.SetMyCommands,
        methods.SetWebhook,
    )
)


def create_bot(token: str, api_base: str | None = None, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(api_base))
            if api_base
            else AiohttpSession()
        )
    return Bot(token, session=session, default=DEFAULTS)


def build_dispatcher(
    conversation: Conversation,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    delivery_rate: float = 25.0,
    metrics: Metrics | None = None,
    redis: Redis | None = None,
    max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
    limiter: RateLimiter | None = None,
    flood: FloodGuard | None = None,
    bot_id: int = 0,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> Dispatcher:
    """The dispatcher. At start it also sets the command menus and runs the reminders, the
    groups' daily planning and, given ``sessions``, the delivery worker.

    Replies, reminders and group deliveries share one ``limiter`` (Telegram's limits; replies
    first), made here unless given: ``delivery_rate`` messages per second in all, shared by the
    bot's processes through ``redis`` when given, under the keys of ``bot_id`` (the group
    administrators' cache too). At most
    ``max_concurrent_updates`` updates are handled at once, the others wait their turn; a chat's
    updates are handled in order, and a person's flood is dropped (``flood``). ``clock`` and
    ``sleep`` (monotonic seconds) time these limits."""
    wired = serving(
        conversation,
        delivery_rate,
        metrics,
        redis,
        max_concurrent_updates,
        limiter,
        flood,
        bot_id,
        clock,
        sleep,
    )
    return dispatcher_for(wired, sessions)


def dispatcher_for(
    wired: Serving, sessions: async_sessionmaker[AsyncSession] | None = None
) -> Dispatcher:
    """The aiogram dispatcher on the serving path ``wired``."""
    # disable_fsm: no aiogram FSM here (state is in the database); it would keep a record per user.
    dispatcher = Dispatcher(
        disable_fsm=True,
        conversation=wired.replies.conversation,
        admins=wired.admins,
        replies=wired.replies,
    )
    dispatcher.update.outer_middleware(Serve(wired.updates))
    dispatcher.include_router(build_router())
    attach(dispatcher, wired.replies, sessions)
    return dispatcher
