"""The python-telegram-bot ``Application``: its handlers turn updates into core events and run
them through the same serving path as the aiogram runtime (:class:`bot.serving.updates.Updates`:
the chat's order and the flood guard, the turns, metrics, failures told), and deliver the
outcomes with :class:`bot.serving.replies.Replies` over a :class:`PtbTransport`.

``concurrent_updates``: updates of different chats are handled side by side (a chat's keep
their order in :class:`bot.serving.order.ChatOrder`; the turns bound the work)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    PollAnswerHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.adapters.ptb.events import from_message, from_press
from bot.adapters.ptb.transport import PtbTransport, inline_result
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
from bot.serving.admins import asks_admin
from bot.serving.lifecycle import Background
from bot.serving.order import origin
from bot.serving.replies import Pressed
from bot.serving.wiring import Serving

DEFAULTS: Final = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
)
KIND_OF: Final = (  # the update's kind, named as aiogram's event_type names it (metrics)
    "message",
    "callback_query",
    "my_chat_member",
    "poll_answer",
    "inline_query",
)
# The updates the handlers below take, all of them: `allowed_updates` of getUpdates and
# setWebhook, so Telegram sends no other kind.
ALLOWED_UPDATES: Final = KIND_OF
Context = ContextTypes.DEFAULT_TYPE


def kind(update: Update) -> str:
    for name in KIND_OF:
        if getattr(update, name, None) is not None:
            return name
    return "update"


class PtbRuntime:
    """The application and the serving path it runs on."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        wired: Serving,
        sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.application = application
        self.wired = wired
        self.replies = wired.replies
        self.admins = wired.admins
        self.transport = PtbTransport(application.bot, wired.metrics)
        self.background = Background(wired.replies, sessions)
        for handler in (
            MessageHandler(filters.UpdateType.MESSAGE, self.on_message),
            CallbackQueryHandler(self.on_press),
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            PollAnswerHandler(self.on_poll_answer),
            InlineQueryHandler(self.on_inline_query),
        ):
            application.add_handler(handler)

    def __getitem__(self, name: str) -> Any:
        """``runtime["replies"]``, ``runtime["admins"]``: as an aiogram dispatcher's data."""
        return {"replies": self.replies, "admins": self.admins}[name]

    async def start_background(self) -> None:
        """Command menus, reminders, group sends, the delivery worker (``pixbot run``)."""
        bot = self.application.bot
        self.replies.conversation.admins.connect(partial(self.admins.is_admin, bot))
        await self.background.start(self.transport)

    async def stop_background(self) -> None:
        await self.background.shutdown()

    async def _serve(self, update: Update, work: Callable[[], Awaitable[object]]) -> None:
        await self.wired.updates(
            self.transport, kind(update), update.update_id, origin(update), work
        )

    @property
    def username(self) -> str:
        return self.application.bot.username or ""

    async def completed(self, event: Event, update: Update) -> Event:
        """The update's id (handled once), and for group commands and buttons whether the
        person administers the group (a chat speaking was answered from the message)."""
        event = replace(event, update_id=update.update_id)
        if asks_admin(event):
            bot = self.application.bot
            return replace(
                event, admin=await self.admins.is_admin(bot, event.chat_id, event.person.id)
            )
        return event

    async def on_message(self, update: Update, _: Context) -> None:
        message = update.message
        if message is None:
            return

        async def work() -> None:
            event = from_message(message, self.username)
            if event is None:
                return
            outcome = await self.replies.handle(await self.completed(event, update))
            await self.replies.deliver(self.transport, message.chat.id, outcome)

        await self._serve(update, work)

    async def on_press(self, update: Update, _: Context) -> None:
        query = update.callback_query
        if query is None:
            return

        async def work() -> None:
            event = from_press(query, self.username)
            outcome = await self.replies.handle(await self.completed(event, update))
            message = query.message
            chat_id = message.chat.id if message is not None else None
            pressed = Pressed(query.id, message.message_id if message is not None else None)
            await self.replies.deliver(self.transport, chat_id, outcome, press=pressed)

        await self._serve(update, work)

    async def on_membership(self, update: Update, _: Context) -> None:
        """The bot added to or removed from a group; blocked or unblocked in a private chat."""
        changed = update.my_chat_member
        if changed is None:
            return

        async def work() -> None:
            status = changed.new_chat_member.status
            who = person(changed.from_user)
            if changed.chat.type == ChatType.PRIVATE:
                await self.replies.handle(Event(who, Blocked(status == ChatMemberStatus.BANNED)))
                return
            if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
                joined = GroupJoined(changed.chat.title or "")
                event = Event(who, joined, ChatKind.GROUP, self.username, changed.chat.id)
                # Whoever added the bot administers the group only if Telegram says so.
                bot = self.application.bot
                admin = await self.admins.is_admin(bot, changed.chat.id, who.id)
                event = replace(event, admin=admin)
                outcome = await self.replies.handle(event)
                await self.replies.deliver(self.transport, changed.chat.id, outcome)
            elif status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
                await self.replies.handle(
                    Event(who, GroupLeft(), ChatKind.GROUP, "", changed.chat.id)
                )

        await self._serve(update, work)

    async def on_poll_answer(self, update: Update, _: Context) -> None:
        answer = update.poll_answer
        if answer is None or answer.user is None:  # an anonymous chat answering: nobody to score
            return
        user = answer.user

        async def work() -> None:
            event = Event(
                person(user),
                PollAnswer(answer.poll_id, tuple(answer.option_ids)),
                ChatKind.GROUP,
            )
            await self.replies.handle(event)

        await self._serve(update, work)

    async def on_inline_query(self, update: Update, _: Context) -> None:
        """``@bot words`` in any chat: matching tips to insert (needs inline mode in BotFather)."""
        query = update.inline_query
        if query is None:
            return

        async def work() -> None:
            inline = InlineQuery(query.query[:256], query.offset)
            event = Event(person(query.from_user), inline, bot_username=self.username)
            answer = (await self.replies.handle(event)).inline
            if answer is None:
                await query.answer([], cache_time=5)
                return
            await query.answer(
                [inline_result(result) for result in answer.results],
                cache_time=answer.cache_seconds,
                next_offset=answer.next_offset or None,  # PTB would send "" as "[]"
                is_personal=answer.personal,
            )

        await self._serve(update, work)


def build_application(
    token: str,
    wired: Serving,
    *,
    api_base: str | None = None,
    request: BaseRequest | None = None,
    concurrent_updates: int = 64,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    polling_timeout: int = 30,
) -> PtbRuntime:
    """The PTB application on the serving path ``wired``: ``api_base`` a self-hosted Bot API
    (TELEGRAM_API_BASE), ``request`` the Bot API client (tests record it)."""
    builder = ApplicationBuilder().token(token).defaults(DEFAULTS)
    builder = builder.concurrent_updates(concurrent_updates)
    if api_base:
        builder = builder.base_url(f"{api_base}/bot").base_file_url(f"{api_base}/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        from telegram.request import HTTPXRequest

        builder = builder.request(HTTPXRequest(connection_pool_size=64))
        builder = builder.get_updates_request(
            HTTPXRequest(connection_pool_size=2, read_timeout=polling_timeout + 10)
        )
    return PtbRuntime(builder.build(), wired, sessions)
