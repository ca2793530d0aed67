"""aiogram objects to the core's plain events."""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Chat, Message

from bot.core.chat import (
    ChatKind,
    Event,
)
from bot.core.incoming import message_event, person, press_event, sender


def chat_kind(chat: Chat | None) -> ChatKind:
    return (
        ChatKind.PRIVATE if chat is not None and chat.type == ChatType.PRIVATE else ChatKind.GROUP
    )


def from_message(message: Message, bot_username: str) -> Event | None:
    """None when the message is not for us (no sender, or a command for another bot)."""
    if message.from_user is None:
        return None
    return message_event(
        sender(message.from_user, message.sender_chat),
        chat_kind(message.chat),
        message.chat.id,
        bot_username,
        message.text,
        str(message.content_type) if message.text is None else "text",
        message.migrate_to_chat_id,
        message.migrate_from_chat_id,
    )


def from_press(query: CallbackQuery, bot_username: str) -> Event:
    message = query.message
    chat = message.chat if message is not None else None
    return press_event(
        person(query.from_user),
        query.data or "",
        message.message_id if message is not None else None,
        chat_kind(chat),
        chat.id if chat is not None else None,
        bot_username,
    )
