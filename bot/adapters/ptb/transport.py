"""The python-telegram-bot runtime's :class:`bot.serving.transport.Transport`: the Bot API calls
through a PTB ``Bot`` (HTML parse mode and no link previews from the application's defaults),
PTB's errors mapped to :mod:`bot.delivery.errors`; messages sent and 429s counted."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InputFile,
    InputTextMessageContent,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.error import Forbidden as TelegramForbidden
from telegram.error import RetryAfter as TelegramRetryAfter

from bot.core.chat import Button, InlinePhoto, InlineResult, Keyboard
from bot.delivery.errors import Forbidden, Migrated, Rejected, RetryAfter, Transient
from bot.serving.metrics import Metrics
from bot.serving.transport import CAPTION_LIMIT, MenuScope, Quiz, SentPhoto, SentPoll, gone

SCOPES = {
    MenuScope.PRIVATE: BotCommandScopeAllPrivateChats(),
    MenuScope.GROUPS: BotCommandScopeAllGroupChats(),
    MenuScope.GROUP_ADMINS: BotCommandScopeAllChatAdministrators(),
}


def button(b: Button) -> InlineKeyboardButton:
    if b.web_app:
        return InlineKeyboardButton(b.label, web_app=WebAppInfo(b.web_app))
    if b.url:
        return InlineKeyboardButton(b.label, url=b.url)
    if b.switch_inline is not None:
        return InlineKeyboardButton(b.label, switch_inline_query=b.switch_inline)
    return InlineKeyboardButton(b.label, callback_data=b.data)


def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[button(b) for b in row] for row in buttons])


def inline_result(result: InlineResult | InlinePhoto) -> InlineQueryResult:
    if isinstance(result, InlinePhoto):
        return InlineQueryResultCachedPhoto(
            id=result.id,
            photo_file_id=result.file_id,
            caption=result.caption[:CAPTION_LIMIT],
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(result.buttons),
        )
    return InlineQueryResultArticle(
        id=result.id,
        title=result.title,
        description=result.description,
        input_message_content=InputTextMessageContent(result.text, parse_mode=ParseMode.HTML),
    )


def retry_seconds(error: TelegramRetryAfter) -> float:
    """``retry_after`` in seconds (PTB 22 warns that the int is to become a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@asynccontextmanager
async def mapped(metrics: Metrics | None = None) -> AsyncIterator[None]:
    """PTB's errors as :mod:`bot.delivery.errors`."""
    try:
        yield
    except TelegramRetryAfter as error:
        if metrics is not None:
            metrics.throttled.inc()
        raise RetryAfter(retry_seconds(error), error.message) from error
    except TelegramForbidden as error:
        raise Forbidden(error.message) from error
    except ChatMigrated as error:
        raise Migrated(error.new_chat_id, error.message) from error
    except BadRequest as error:  # before NetworkError: PTB's BadRequest is one
        if gone(error.message):
            raise Forbidden(error.message) from error
        raise Rejected(f"bad request: {error.message}") from error
    except (TimedOut, NetworkError) as error:
        raise Transient(f"network: {error.message}") from error
    except TelegramError as error:  # invalid token, conflict, end point not found
        raise Rejected(error.message) from error
    except (OSError, TimeoutError) as error:
        raise Transient(f"network: {error!r}") from error


class PtbTransport:
    def __init__(self, bot: Bot, metrics: Metrics | None = None) -> None:
        self.bot = bot
        self.metrics = metrics

    def _sent(self) -> None:
        if self.metrics is not None:
            self.metrics.sent.inc()

    async def send_text(self, chat_id: int, text: str, buttons: Keyboard = ()) -> int:
        async with mapped(self.metrics):
            sent = await self.bot.send_message(chat_id, text, reply_markup=keyboard(buttons))
        self._sent()
        return sent.message_id

    async def send_photo(
        self, chat_id: int, image: bytes, caption: str | None, buttons: Keyboard = ()
    ) -> SentPhoto:
        async with mapped(self.metrics):
            sent = await self.bot.send_photo(
                chat_id,
                InputFile(image, filename="image.png"),
                caption=caption,
                reply_markup=keyboard(buttons),
            )
        self._sent()
        return SentPhoto(sent.message_id, sent.photo[-1].file_id if sent.photo else None)

    async def send_document(
        self, chat_id: int, data: bytes, name: str, caption: str, buttons: Keyboard = ()
    ) -> int:
        async with mapped(self.metrics):
            sent = await self.bot.send_document(
                chat_id,
                InputFile(data, filename=name),
                caption=caption,
                reply_markup=keyboard(buttons),
            )
        self._sent()
        return sent.message_id

    async def send_quiz(self, chat_id: int, quiz: Quiz) -> SentPoll:
        async with mapped(self.metrics):
            sent = await self.bot.send_poll(
                chat_id,
                question=quiz.question,
                options=list(quiz.options),
                type="quiz",
                is_anonymous=quiz.is_anonymous,
                correct_option_ids=list(quiz.correct_option_ids),  # type: ignore[arg-type]
                explanation=quiz.explanation,
                explanation_parse_mode=quiz.explanation_parse_mode,
                open_period=quiz.open_period,
            )
        self._sent()
        return SentPoll(sent.message_id, sent.poll.id if sent.poll is not None else None)

    async def stop_poll(self, chat_id: int, message_id: int) -> tuple[int, ...]:
        async with mapped(self.metrics):
            poll = await self.bot.stop_poll(chat_id, message_id)
        return tuple(option.voter_count for option in poll.options)

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard = ()
    ) -> None:
        async with mapped(self.metrics):
            await self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard(buttons)
            )

    async def edit_buttons(self, chat_id: int, message_id: int, buttons: Keyboard = ()) -> None:
        async with mapped(self.metrics):
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=keyboard(buttons)
            )

    async def answer_press(self, press_id: str, notice: str | None) -> None:
        async with mapped(self.metrics):
            await self.bot.answer_callback_query(press_id, notice)

    async def set_commands(
        self, scope: MenuScope, language: str | None, commands: Sequence[tuple[str, str]]
    ) -> None:
        menu = [BotCommand(name, text) for name, text in commands]
        async with mapped(self.metrics):
            await self.bot.set_my_commands(menu, scope=SCOPES[scope], language_code=language)
