"""The learner's router: each handler turns an update into an event, asks the core (in a turn),
and delivers the reply (``bot.serving.replies``, outside the turn). The chat's order, the flood
guard, metrics and failures are the serving path's (``order.Serve``)."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Bot, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import CallbackQuery, ChatMemberUpdated, Update
from aiogram.types import InlineQuery as TelegramInlineQuery
from aiogram.types import Message as TelegramMessage
from aiogram.types import PollAnswer as PollAnswerUpdate

from bot.adapters.telegram.events import from_message, from_press
from bot.adapters.telegram.render import inline_result
from bot.adapters.telegram.transport import AiogramTransport
from bot.core.chat import (
    Blocked,
    ChatKind,
    Event,
    GroupJoined,
    GroupLeft,
    InlineQuery,
    PollAnswer,
)
from bot.core.incoming import person
from bot.serving.admins import AdminCache, asks_admin
from bot.serving.replies import Pressed, Replies

log = logging.getLogger(__name__)


def build_router() -> Router:
    """A new router each time: aiogram attaches a router to one dispatcher only."""
    router = Router(name="learner")
    router.message.register(on_message)
    router.callback_query.register(on_press)
    router.my_chat_member.register(on_membership)
    router.poll_answer.register(on_poll_answer)
    router.inline_query.register(on_inline_query)
    return router


async def bot_username(bot: Bot) -> str:
    return (await bot.me()).username or ""


async def completed(event: Event, update: Update, bot: Bot, admins: AdminCache) -> Event:
    """The update's id (handled once), and for group commands and buttons whether the person
    administers the group (a chat speaking was answered from the message: ``sender``)."""
    event = replace(event, update_id=update.update_id)
    if asks_admin(event):
        return replace(event, admin=await admins.is_admin(bot, event.chat_id, event.person.id))
    return event


async def on_message(
    message: TelegramMessage,
    bot: Bot,
    replies: Replies,
    admins: AdminCache,
    event_update: Update,
    transport: AiogramTransport,
) -> None:
    event = from_message(message, await bot_username(bot))
    if event is None:
        return
    outcome = await replies.handle(await completed(event, event_update, bot, admins))
    await replies.deliver(transport, message.chat.id, outcome)


async def on_press(
    query: CallbackQuery,
    bot: Bot,
    replies: Replies,
    admins: AdminCache,
    event_update: Update,
    transport: AiogramTransport,
) -> None:
    event = from_press(query, await bot_username(bot))
    outcome = await replies.handle(await completed(event, event_update, bot, admins))
    chat_id = query.message.chat.id if query.message is not None else None
    pressed = Pressed(query.id, query.message.message_id if query.message is not None else None)
    await replies.deliver(transport, chat_id, outcome, press=pressed)


async def on_membership(
    update: ChatMemberUpdated,
    bot: Bot,
    replies: Replies,
    admins: AdminCache,
    transport: AiogramTransport,
) -> None:
    """The bot added to or removed from a group; blocked or unblocked in a private chat."""
    status = update.new_chat_member.status
    who = person(update.from_user)
    if update.chat.type == ChatType.PRIVATE:
        await replies.handle(Event(who, Blocked(status == ChatMemberStatus.KICKED)))
        return
    if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
        joined = GroupJoined(update.chat.title or "")
        event = Event(who, joined, ChatKind.GROUP, await bot_username(bot), update.chat.id)
        # Whoever added the bot administers the group only if Telegram says so.
        event = replace(event, admin=await admins.is_admin(bot, update.chat.id, who.id))
        await replies.deliver(transport, update.chat.id, await replies.handle(event))
    elif status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        await replies.handle(Event(who, GroupLeft(), ChatKind.GROUP, "", update.chat.id))


async def on_poll_answer(answer: PollAnswerUpdate, replies: Replies) -> None:
    if answer.user is None:  # an anonymous chat answering: nobody to score
        return
    event = Event(
        person(answer.user),
        PollAnswer(answer.poll_id, tuple(answer.option_ids)),
        ChatKind.GROUP,
    )
    await replies.handle(event)


async def on_inline_query(query: TelegramInlineQuery, bot: Bot, replies: Replies) -> None:
    """``@bot words`` in any chat: matching tips to insert (needs inline mode in BotFather)."""
    inline = InlineQuery(query.query[:256], query.offset)
    event = Event(person(query.from_user), inline, bot_username=await bot_username(bot))
    answer = (await replies.handle(event)).inline
    if answer is None:
        await query.answer([], cache_time=5)
        return
    await query.answer(
        [inline_result(result) for result in answer.results],
        cache_time=answer.cache_seconds,
        next_offset=answer.next_offset,
        is_personal=answer.personal,
    )
