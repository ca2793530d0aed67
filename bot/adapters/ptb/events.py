"""python-telegram-bot objects to the core's plain events (the twin of the aiogram adapter's
``events.py``)."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message, User
from telegram.constants import ChatType

from bot.core.chat import (
    ChatKind,
    Command,
    Event,
    GroupMigrated,
    Person,
    Press,
    Text,
    Unsupported,
)


def person(user: User) -> Person:
    return Person(user.id, user.first_name or "", user.language_code)


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
    who = person(message.from_user)
    kind, chat_id = chat_kind(message.chat), message.chat.id
    if message.migrate_to_chat_id is not None:  # the group became a supergroup
        return Event(who, GroupMigrated(message.migrate_to_chat_id), kind, bot_username, chat_id)
    if message.migrate_from_chat_id is not None:  # the same, told in the new supergroup
        old_id = message.migrate_from_chat_id
        return Event(who, GroupMigrated(chat_id), kind, bot_username, old_id)
    text = message.text
    if text is None:
        return Event(who, Unsupported(content_type(message)), kind, bot_username, chat_id)
    if text.startswith("/"):
        head, _, args = text.partition(" ")
        name, _, mention = head[1:].partition("@")
        if mention and mention.lower() != bot_username.lower():
            return None
        return Event(who, Command(name.lower(), args.strip()), kind, bot_username, chat_id)
    return Event(who, Text(text), kind, bot_username, chat_id)


def from_press(query: CallbackQuery, bot_username: str) -> Event:
    message = query.message
    message_id = message.message_id if message is not None else None
    chat = message.chat if message is not None else None
    return Event(
        person(query.from_user),
        Press(query.data or "", message_id),
        chat_kind(chat),
        bot_username,
        chat.id if chat is not None else query.from_user.id,
    )
