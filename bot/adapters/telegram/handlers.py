"""The learner's router: each handler turns an update into an event, asks the core, renders."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Bot, Router
from aiogram.enums import ChatMemberStatus, ChatType, ParseMode
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    ErrorEvent,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    Message,
    Update,
)
from aiogram.types import InlineQuery as TelegramInlineQuery
from aiogram.types import PollAnswer as PollAnswerUpdate
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.adapters.telegram.admins import AdminCache
from bot.adapters.telegram.events import from_message, from_press, person
from bot.adapters.telegram.metrics import Metrics
from bot.adapters.telegram.render import deliver
from bot.core.chat import (
    Blocked,
    ChatKind,
    Command,
    Event,
    GroupJoined,
    GroupLeft,
    InlineQuery,
    PollAnswer,
    Press,
)
from bot.core.dialogue import Conversation

log = logging.getLogger(__name__)


def build_router() -> Router:
    """A new router each time: aiogram attaches a router to one dispatcher only."""
    router = Router(name="learner")
    router.message.register(on_message)
    router.callback_query.register(on_press)
    router.my_chat_member.register(on_membership)
    router.poll_answer.register(on_poll_answer)
    router.inline_query.register(on_inline_query)
    router.errors.register(on_error)
    return router


async def bot_username(bot: Bot) -> str:
    return (await bot.me()).username or ""


async def completed(event: Event, update: Update, bot: Bot, admins: AdminCache) -> Event:
    """The update's id (handled once), and for group commands and buttons whether the person
    administers the group."""
    event = replace(event, update_id=update.update_id)
    if event.chat is ChatKind.GROUP and isinstance(event.input, Command | Press):
        return replace(event, admin=await admins.is_admin(bot, event.chat_id, event.person.id))
    return event


async def on_message(
    message: Message,
    bot: Bot,
    conversation: Conversation,
    admins: AdminCache,
    event_update: Update,
) -> None:
    event = from_message(message, await bot_username(bot))
    if event is None:
        return
    outcome = await conversation.handle(await completed(event, event_update, bot, admins))
    await deliver(bot, message.chat.id, outcome, conversation)


async def on_press(
    query: CallbackQuery,
    bot: Bot,
    conversation: Conversation,
    admins: AdminCache,
    event_update: Update,
) -> None:
    event = from_press(query, await bot_username(bot))
    outcome = await conversation.handle(await completed(event, event_update, bot, admins))
    chat_id = query.message.chat.id if query.message is not None else None
    await deliver(bot, chat_id, outcome, conversation, query=query)


async def on_membership(update: ChatMemberUpdated, bot: Bot, conversation: Conversation) -> None:
    """The bot added to or removed from a group; blocked or unblocked in a private chat."""
    status = update.new_chat_member.status
    who = person(update.from_user)
    if update.chat.type == ChatType.PRIVATE:
        await conversation.handle(Event(who, Blocked(status == ChatMemberStatus.KICKED)))
        return
    if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
        joined = GroupJoined(update.chat.title or "")
        event = Event(who, joined, ChatKind.GROUP, await bot_username(bot), update.chat.id)
        await deliver(bot, update.chat.id, await conversation.handle(event), conversation)
    elif status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        await conversation.handle(Event(who, GroupLeft(), ChatKind.GROUP, "", update.chat.id))


async def on_poll_answer(answer: PollAnswerUpdate, conversation: Conversation) -> None:
    if answer.user is None:  # an anonymous chat answering: nobody to score
        return
    event = Event(
        person(answer.user),
        PollAnswer(answer.poll_id, tuple(answer.option_ids)),
        ChatKind.GROUP,
    )
    await conversation.handle(event)


async def on_inline_query(query: TelegramInlineQuery, conversation: Conversation) -> None:
    """``@bot words`` in any chat: matching tips to insert (needs inline mode in BotFather)."""
    event = Event(person(query.from_user), InlineQuery(query.query[:256], query.offset))
    answer = (await conversation.handle(event)).inline
    if answer is None:
        await query.answer([], cache_time=5)
        return
    results: list[InlineQueryResultUnion] = [
        InlineQueryResultArticle(
            id=result.id,
            title=result.title,
            description=result.description,
            input_message_content=InputTextMessageContent(
                message_text=result.text, parse_mode=ParseMode.HTML
            ),
        )
        for result in answer.results
    ]
    await query.answer(
        results, cache_time=answer.cache_seconds, next_offset=answer.next_offset, is_personal=True
    )


async def on_error(
    event: ErrorEvent, bot: Bot, conversation: Conversation, metrics: Metrics | None = None
) -> bool:
    """Log the failure for the operator; tell the person something went wrong, or that the
    service is unavailable for a minute when the database is out of reach (the pool
    reconnects by itself once it is back)."""
    update = event.update
    if metrics is not None:
        metrics.errors.inc()
    # PoolTimeout: no connection free within the pool timeout (overloaded, or the database hangs)
    unavailable = isinstance(event.exception, DBAPIError | PoolTimeout | OSError | TimeoutError)
    if unavailable:
        log.error("update %s: database unavailable: %s", update.update_id, event.exception)
    else:
        log.error(
            "update %s failed: %r", update.update_id, event.exception, exc_info=event.exception
        )
    try:
        if update.callback_query is not None:
            query = update.callback_query
            apology = conversation.apology(person(query.from_user), unavailable)
            await query.answer(apology[:200], show_alert=False)
        elif update.message is not None:
            sender = update.message.from_user
            if sender is not None:
                apology = conversation.apology(person(sender), unavailable)
                await bot.send_message(update.message.chat.id, apology)
    except Exception:  # the apology itself failed (blocked bot, network): logged, not raised
        log.warning("could not send an apology for update %s", update.update_id, exc_info=True)
    return True
