"""The Telegram side of the delivery worker: a payload row to a Bot API call, aiogram's errors to
``bot.delivery.errors``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import Message

from bot.adapters.telegram.render import MESSAGE_LIMIT, keyboard
from bot.core.chat import Button, Keyboard
from bot.delivery.errors import Forbidden, Migrated, RetryAfter, Transient

log = logging.getLogger(__name__)
OnPoll = Callable[[int, Message, Mapping[str, Any]], Awaitable[None]]

# A 400 that means the chat is gone for good, like a 403.
GONE = ("chat not found", "user not found", "group chat was deactivated", "peer_id_invalid")


def buttons(rows: Any) -> Keyboard:
    """``[[{"label", "data"} | {"label", "url"}]]`` to core buttons."""
    return tuple(
        tuple(
            Button(label=str(b["label"]), data=str(b.get("data", "")), url=str(b.get("url", "")))
            for b in row
        )
        for row in rows or ()
    )


class TelegramSender:
    """Implements :class:`bot.delivery.worker.Sender` with aiogram (HTML parse mode comes from
    the bot's defaults, see ``create_bot``).

    ``on_poll(chat_id, message, payload)`` runs after a poll was sent (to remember the poll id
    for scoring answers); its errors are logged, never turned into a resend.
    """

    def __init__(self, bot: Bot, *, on_poll: OnPoll | None = None) -> None:
        self.bot = bot
        self.on_poll = on_poll

    async def send(self, chat_id: int, kind: str, payload: Mapping[str, Any]) -> int | None:
        try:
            return await self._send(chat_id, payload)
        except TelegramRetryAfter as error:
            raise RetryAfter(error.retry_after, error.message) from error
        except TelegramForbiddenError as error:
            raise Forbidden(error.message) from error
        except TelegramMigrateToChat as error:
            raise Migrated(error.migrate_to_chat_id, error.message) from error
        except TelegramBadRequest as error:
            if any(reason in error.message.lower() for reason in GONE):
                raise Forbidden(error.message) from error
            raise Transient(f"bad request: {error.message}") from error
        except AiogramError as error:  # other API errors, network errors, bad answers
            raise Transient(str(error)) from error
        except (OSError, TimeoutError) as error:
            raise Transient(f"network: {error!r}") from error

    async def _send(self, chat_id: int, payload: Mapping[str, Any]) -> int:
        poll = payload.get("poll")
        if poll is not None:
            message = await self.bot.send_poll(
                chat_id,
                question=str(poll["question"]),
                options=[str(option) for option in poll["options"]],
                type="quiz",
                is_anonymous=False,
                correct_option_ids=[int(i) for i in poll["correct_option_ids"]],
                explanation=poll.get("explanation") or None,
                explanation_parse_mode=poll.get("explanation_parse_mode"),
                open_period=poll.get("open_period"),
            )
            if self.on_poll is not None:
                try:
                    await self.on_poll(chat_id, message, payload)
                except Exception:
                    log.exception("after sending a poll to chat %s", chat_id)
            return message.message_id
        text = str(payload["text"])
        if len(text) > MESSAGE_LIMIT:
            raise Transient(f"text longer than {MESSAGE_LIMIT} characters")
        sent = await self.bot.send_message(
            chat_id, text, reply_markup=keyboard(buttons(payload.get("buttons")))
        )
        return sent.message_id
