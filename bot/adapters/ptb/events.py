"""python-telegram-bot objects to the core's plain events (the twin of the aiogram adapter's
``events.py``)."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message
from telegram.constants import ChatType

from bot.core.chat import (
    ChatKind,
    Event,
)
from bot.core.incoming import message_event, person, press_event, sender


def chat_kind(chat: Chat | None) -> ChatKind:
    return (
        ChatKind.PRIVATE if chat is not None and chat.type == ChatType.PRIVATE else ChatKind.GROUP
    )


def content_type(message: Message) -> str:
    """What a message without text carries, named as the Bot API names it ("sticker")."""
    for name in (
        "sticker", "photo", "video", "animation", "audio", "voice", "video_note", "document",
        "contact", "location", "venue", "poll", "dice", "game", "story",
    ):  # fmt: skip
        if getattr(message, name, None):
            return name
    return "unknown"


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
        content_type(message) if message.text is None else "text",
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
