"""What runs beside the updates: the command menus at start, the daily reminders."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from bot.adapters.telegram.render import deliver
from bot.core.chat import Outcome
from bot.core.dialogue import Conversation
from content.models import INTERFACE_LANGUAGES

REMINDER_INTERVAL: Final = 30.0  # seconds between looks at the due reminders
log = logging.getLogger(__name__)


async def set_commands(bot: Bot, conversation: Conversation) -> None:
    """Learner commands in private chats, in each interface language (English by default)."""
    scope = BotCommandScopeAllPrivateChats()
    for language in (None, *INTERFACE_LANGUAGES):
        commands = [
            BotCommand(command=name, description=description)
            for name, description in conversation.views.commands(language or "en")
        ]
        await bot.set_my_commands(commands, scope=scope, language_code=language)


async def send_reminders(bot: Bot, conversation: Conversation) -> int:
    """Send the reminders that are due now; returns how many went out."""
    sent = 0
    for user_id, message in await conversation.due_reminders():
        try:
            await deliver(bot, user_id, Outcome([message]), conversation)
            sent += 1
        except TelegramForbiddenError:
            await conversation.set_blocked(user_id, True)
        except TelegramRetryAfter as error:
            # Claimed already: wait as Telegram asks, try once more, else skip today's.
            await asyncio.sleep(error.retry_after)
            with contextlib.suppress(TelegramAPIError):
                await deliver(bot, user_id, Outcome([message]), conversation)
                sent += 1
        except TelegramAPIError as error:
            log.warning("reminder to %s failed: %s", user_id, error.message)
    return sent


async def reminder_loop(bot: Bot, conversation: Conversation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await send_reminders(bot, conversation)
        except Exception:  # a database hiccup must not end the loop
            log.exception("sending reminders failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REMINDER_INTERVAL)


def attach(dispatcher: Dispatcher, conversation: Conversation) -> None:
    """Start the background work with the dispatcher and stop it with it."""
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def on_startup(bot: Bot) -> None:
        try:
            await set_commands(bot, conversation)
        except TelegramAPIError as error:
            log.warning("could not set the command menus: %s", error.message)
        tasks.append(asyncio.create_task(reminder_loop(bot, conversation, stop)))

    async def on_shutdown() -> None:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
