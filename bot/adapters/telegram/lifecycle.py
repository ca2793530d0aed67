"""What runs beside the updates on the aiogram runtime: the serving layer's background work
(:mod:`bot.serving.lifecycle`) started and stopped with the dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.telegram.transport import AiogramTransport
from bot.core.conversation import Conversation
from bot.delivery.limiter import Limiter
from bot.delivery.worker import DeliveryWorker
from bot.serving import lifecycle
from bot.serving.admins import AdminCache
from bot.serving.lifecycle import Background, plan_loop
from bot.serving.replies import Replies

__all__ = ["attach", "delivery_worker", "plan_loop", "send_reminders", "set_commands"]


async def set_commands(bot: Bot, conversation: Conversation) -> None:
    """Command menus in each interface language (:func:`bot.serving.lifecycle.set_commands`)."""
    await lifecycle.set_commands(AiogramTransport(bot), conversation)


async def send_reminders(bot: Bot, replies: Replies) -> int:
    """Send the reminders that are due now; returns how many went out."""
    return await lifecycle.send_reminders(AiogramTransport(bot), replies)


def delivery_worker(
    bot: Bot,
    conversation: Conversation,
    sessions: async_sessionmaker[AsyncSession],
    worker_id: str,
    clock: Callable[[], datetime],
    limiter: Limiter,
) -> DeliveryWorker:
    """The delivery engine sending through this bot within ``limiter``."""
    return lifecycle.delivery_worker(
        AiogramTransport(bot), conversation, sessions, worker_id, clock, limiter
    )


def attach(
    dispatcher: Dispatcher,
    replies: Replies,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """Start the background work with the dispatcher and stop it with it."""
    background = Background(replies, sessions)

    async def on_startup(bot: Bot) -> None:
        admins: AdminCache = dispatcher["admins"]
        replies.conversation.admins.connect(partial(admins.is_admin, bot))
        await background.start(AiogramTransport(bot))

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(background.shutdown)
