"""The aiogram runtime's :class:`bot.serving.transport.Transport`: the Bot API calls through an
aiogram ``Bot`` (HTML parse mode from the bot's defaults, see ``create_bot``), aiogram's errors
mapped to :mod:`bot.delivery.errors` (here only: replies and the delivery worker share it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
)

from bot.adapters.telegram.render import keyboard
from bot.core.chat import Keyboard
from bot.delivery.errors import Forbidden, Migrated, Rejected, RetryAfter, Transient
from bot.serving.transport import MenuScope, Quiz, SentPhoto, SentPoll, gone

SCOPES: dict[MenuScope, Any] = {
    MenuScope.PRIVATE: BotCommandScopeAllPrivateChats(),
    MenuScope.GROUPS: BotCommandScopeAllGroupChats(),
    MenuScope.GROUP_ADMINS: BotCommandScopeAllChatAdministrators(),
}


@asynccontextmanager
async def mapped() -> AsyncIterator[None]:
    """aiogram's errors as :mod:`bot.delivery.errors`."""
    try:
        yield
    except TelegramRetryAfter as error:
        raise RetryAfter(error.retry_after, error.message) from error
    except TelegramForbiddenError as error:
        raise Forbidden(error.message) from error
    except TelegramMigrateToChat as error:
        raise Migrated(error.migrate_to_chat_id, error.message) from error
    except TelegramBadRequest as error:
        if gone(error.message):
            raise Forbidden(error.message) from error
        raise Rejected(f"bad request: {error.message}") from error
    except (TelegramNetworkError, TelegramServerError) as error:
        raise Transient(f"network: {error.message}") from error
    except AiogramError as error:  # other API errors (unauthorized, conflict, too large…)
        message = getattr(error, "message", None) or str(error)
        raise Rejected(message) from error
    except (OSError, TimeoutError) as error:
        raise Transient(f"network: {error!r}") from error


class AiogramTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, buttons: Keyboard = ()) -> int:
        async with mapped():
            sent = await self.bot.send_message(chat_id, text, reply_markup=keyboard(buttons))
        return sent.message_id

    async def send_photo(
        self, chat_id: int, image: bytes, caption: str | None, buttons: Keyboard = ()
    ) -> SentPhoto:
        async with mapped():
            sent = await self.bot.send_photo(
                chat_id,
                BufferedInputFile(image, "image.png"),
                caption=caption,
                reply_markup=keyboard(buttons),
            )
        return SentPhoto(sent.message_id, sent.photo[-1].file_id if sent.photo else None)

    async def send_document(
        self, chat_id: int, data: bytes, name: str, caption: str, buttons: Keyboard = ()
    ) -> int:
        async with mapped():
            sent = await self.bot.send_document(
                chat_id,
                BufferedInputFile(data, name),
                caption=caption,
                reply_markup=keyboard(buttons),
            )
        return sent.message_id

    async def send_quiz(self, chat_id: int, quiz: Quiz) -> SentPoll:
        async with mapped():
            sent = await self.bot.send_poll(
                chat_id,
                question=quiz.question,
                options=list(quiz.options),
                type="quiz",
                is_anonymous=quiz.is_anonymous,
                correct_option_ids=list(quiz.correct_option_ids),
                explanation=quiz.explanation,
                explanation_parse_mode=quiz.explanation_parse_mode,
                open_period=quiz.open_period,
            )
        return SentPoll(sent.message_id, sent.poll.id if sent.poll is not None else None)

    async def stop_poll(self, chat_id: int, message_id: int) -> tuple[int, ...]:
        async with mapped():
            poll = await self.bot.stop_poll(chat_id, message_id)
        return tuple(option.voter_count for option in poll.options)

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard = ()
    ) -> None:
        async with mapped():
            await self.bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard(buttons)
            )

    async def edit_buttons(self, chat_id: int, message_id: int, buttons: Keyboard = ()) -> None:
        async with mapped():
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=keyboard(buttons)
            )

    async def answer_press(self, press_id: str, notice: str | None) -> None:
        async with mapped():
            await self.bot.answer_callback_query(press_id, notice)

    async def set_commands(
        self, scope: MenuScope, language: str | None, commands: Sequence[tuple[str, str]]
    ) -> None:
        menu = [BotCommand(command=name, description=text) for name, text in commands]
        async with mapped():
            await self.bot.set_my_commands(menu, scope=SCOPES[scope], language_code=language)
