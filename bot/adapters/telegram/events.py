"""aiogram objects to the core's plain events."""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.core.chat import ChatKind, Command, Event, Person, Press, Text, Unsupported


def person(user: User) -> Person:
    return Person(user.id, user.first_name or "", user.language_code)


def chat_kind(chat: Chat | None) -> ChatKind:
    return (
        ChatKind.PRIVATE if chat is not None and chat.type == ChatType.PRIVATE else ChatKind.GROUP
    )


def from_message(message: Message, bot_username: str) -> Event | None:
    """None when the message is not for us (no sender, or a command for another bot)."""
    if message.from_user is None:
        return None
    kind = chat_kind(message.chat)
    text = message.text
    if text is None:
        return Event(
            person(message.from_user), Unsupported(str(message.content_type)), kind, bot_username
        )
    if text.startswith("/"):
        head, _, args = text.partition(" ")
        name, _, mention = head[1:].partition("@")
        if mention and mention.lower() != bot_username.lower():
            return None
        return Event(
            person(message.from_user), Command(name.lower(), args.strip()), kind, bot_username
        )
    return Event(person(message.from_user), Text(text), kind, bot_username)


def from_press(query: CallbackQuery, bot_username: str) -> Event:
    message_id = query.message.message_id if query.message is not None else None
    chat = query.message.chat if query.message is not None else None
    return Event(
        person(query.from_user), Press(query.data or "", message_id), chat_kind(chat), bot_username
    )
