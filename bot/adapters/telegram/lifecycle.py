"""What runs beside the updates: the command menus at start, the daily reminders, the groups'
sends, the delivery worker, the heap's trim."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Final

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.telegram.admins import AdminCache
from bot.adapters.telegram.replies import Replies
from bot.adapters.telegram.sender import TelegramSender
from bot.core.chat import Outcome
from bot.core.dialogue import Conversation
from bot.delivery.limiter import Limiter
from bot.delivery.worker import DeliveryWorker
from bot.memory import trim_loop
from content.models import INTERFACE_LANGUAGES

REMINDER_INTERVAL: Final = 30.0  # seconds between looks at the due reminders
PLAN_INTERVAL: Final = 30.0  # seconds between plannings of the groups' daily sends
log = logging.getLogger(__name__)


async def set_commands(bot: Bot, conversation: Conversation) -> None:
    """Command menus in each interface language (English by default): learners' in private
    chats, the leaderboard in groups, the group settings for group administrators."""
    scopes: list[tuple[Any, Callable[[str], list[tuple[str, str]]]]] = [
        (BotCommandScopeAllPrivateChats(), conversation.views.commands),
        (
            BotCommandScopeAllGroupChats(),
            lambda lang: conversation.group_views.commands(lang, False),
        ),
        (
            BotCommandScopeAllChatAdministrators(),
            lambda lang: conversation.group_views.commands(lang, True),
        ),
    ]
    for scope, commands in scopes:
        for language in (None, *INTERFACE_LANGUAGES):
            menu = [BotCommand(command=n, description=d) for n, d in commands(language or "en")]
            await bot.set_my_commands(menu, scope=scope, language_code=language)


async def send_reminders(bot: Bot, replies: Replies) -> int:
    """Send the reminders that are due now (within the chats' rates, after the replies people
    wait for); returns how many went out. A person who blocked the bot is marked inactive."""
    sent = 0
    for user_id, message in await replies.conversation.due_reminders():
        if await replies.deliver(bot, user_id, Outcome([message]), urgent=False):
            sent += 1
    return sent


async def reminder_loop(bot: Bot, replies: Replies, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await send_reminders(bot, replies)
        except Exception:  # a database hiccup must not end the loop
            log.exception("sending reminders failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REMINDER_INTERVAL)


async def plan_loop(conversation: Conversation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await conversation.plan_group_sends()
            await conversation.forget_updates()
        except Exception:  # a database hiccup must not end the loop
            log.exception("planning the groups' sends failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PLAN_INTERVAL)


def delivery_worker(
    bot: Bot,
    conversation: Conversation,
    sessions: async_sessionmaker[AsyncSession],
    worker_id: str,
    clock: Callable[[], datetime],
    limiter: Limiter,
) -> DeliveryWorker:
    """The delivery engine sending through this bot within ``limiter`` (the one the replies
    use: they go first); quiz polls are remembered for scoring, a 403 stops sends to that chat,
    a migration moves the group's settings."""

    async def on_poll(chat_id: int, message: Message, payload: Mapping[str, Any]) -> None:
        quiz = payload.get("quiz")
        if message.poll is not None and isinstance(quiz, Mapping):
            await conversation.quiz_sent(
                chat_id, message.poll.id, str(quiz["challenge_id"]), int(quiz["correct_option"])
            )

    return DeliveryWorker(
        sessions,
        TelegramSender(bot, on_poll=on_poll),
        limiter,
        worker_id,
        clock,
        on_deactivated=conversation.chat_gone,
        on_migrated=conversation.chat_migrated,
    )


def attach(
    dispatcher: Dispatcher,
    replies: Replies,
    sessions: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """Start the background work with the dispatcher and stop it with it: command menus,
    reminders, the groups' daily sends, the heap's trim and, given ``sessions``, the delivery
    worker (within the replies' limiter)."""
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    conversation = replies.conversation

    async def on_startup(bot: Bot) -> None:
        admins: AdminCache = dispatcher["admins"]
        conversation.admins.connect(partial(admins.is_admin, bot))
        try:
            await set_commands(bot, conversation)
        except TelegramAPIError as error:
            log.warning("could not set the command menus: %s", error.message)
        tasks.append(asyncio.create_task(reminder_loop(bot, replies, stop)))
        tasks.append(asyncio.create_task(plan_loop(conversation, stop)))
        tasks.append(asyncio.create_task(trim_loop(stop)))
        if sessions is not None:
            worker_id = f"{socket.gethostname()}:{os.getpid()}"
            worker = delivery_worker(
                bot, conversation, sessions, worker_id, conversation.clock, replies.limiter
            )
            tasks.append(asyncio.create_task(worker.run(stop)))

    async def on_shutdown() -> None:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
