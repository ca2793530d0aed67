"""The learner's router: each handler turns an update into an event, asks the core, renders."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import CallbackQuery, ChatMemberUpdated, ErrorEvent, Message

from bot.adapters.telegram.events import from_message, from_press, person
from bot.adapters.telegram.render import deliver
from bot.core.chat import Blocked, Event
from bot.core.dialogue import Conversation

log = logging.getLogger(__name__)


def build_router() -> Router:
    """A new router each time: aiogram attaches a router to one dispatcher only."""
    router = Router(name="learner")
    router.message.register(on_message)
    router.callback_query.register(on_press)
    router.my_chat_member.register(on_membership)
    router.errors.register(on_error)
    return router


async def bot_username(bot: Bot) -> str:
    return (await bot.me()).username or ""


async def on_message(message: Message, bot: Bot, conversation: Conversation) -> None:
    event = from_message(message, await bot_username(bot))
    if event is None:
        return
    outcome = await conversation.handle(event)
    await deliver(bot, message.chat.id, outcome, conversation)


async def on_press(query: CallbackQuery, bot: Bot, conversation: Conversation) -> None:
    outcome = await conversation.handle(from_press(query, await bot_username(bot)))
    chat_id = query.message.chat.id if query.message is not None else None
    await deliver(bot, chat_id, outcome, conversation, query=query)


async def on_membership(update: ChatMemberUpdated, conversation: Conversation) -> None:
    """Blocking the bot in a private chat (or unblocking it) without waiting for a 403."""
    if update.chat.type != ChatType.PRIVATE:
        return  # groups are the educators' issue
    blocked = update.new_chat_member.status == ChatMemberStatus.KICKED
    await conversation.handle(Event(person(update.from_user), Blocked(blocked)))


async def on_error(event: ErrorEvent, bot: Bot, conversation: Conversation) -> bool:
    """Log the failure for the operator; tell the person something went wrong."""
    update = event.update
    log.error("update %s failed: %r", update.update_id, event.exception, exc_info=event.exception)
    try:
        if update.callback_query is not None:
            query = update.callback_query
            await query.answer(
                conversation.apology(person(query.from_user))[:200], show_alert=False
            )
        elif update.message is not None:
            sender = update.message.from_user
            if sender is not None:
                apology = conversation.apology(person(sender))
                await bot.send_message(update.message.chat.id, apology)
    except Exception:  # the apology itself failed (blocked bot, network): logged, not raised
        log.warning("could not send an apology for update %s", update.update_id, exc_info=True)
    return True
