"""A message or a button press, read from the plain values every runtime has, to a core Event:
one reading for aiogram's and python-telegram-bot's objects alike. Where both libraries name the
Bot API's fields alike, their objects are read here directly (the Protocols below)."""

from __future__ import annotations

from typing import Protocol

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


def message_event(
    who: Person,
    kind: ChatKind,
    chat_id: int,
    bot_username: str,
    text: str | None,
    content: str,
    migrate_to: int | None = None,
    migrate_from: int | None = None,
) -> Event | None:
    """None when the message is not for us (a command for another bot). ``content``: what a
    message without text carries ("sticker"); ``migrate_to`` / ``migrate_from``: the service
    messages of a group becoming a supergroup, in the old group and in the new one."""
    if migrate_to is not None:
        return Event(who, GroupMigrated(migrate_to), kind, bot_username, chat_id)
    if migrate_from is not None:
        return Event(who, GroupMigrated(chat_id), kind, bot_username, migrate_from)
    if text is None:
        return Event(who, Unsupported(content), kind, bot_username, chat_id)
    if text.startswith("/"):
        head, _, args = text.partition(" ")
        name, _, mention = head[1:].partition("@")
        if mention and mention.lower() != bot_username.lower():
            return None
        return Event(who, Command(name.lower(), args.strip()), kind, bot_username, chat_id)
    return Event(who, Text(text), kind, bot_username, chat_id)


def press_event(
    who: Person,
    data: str,
    message_id: int | None,
    kind: ChatKind,
    chat_id: int | None,
    bot_username: str,
) -> Event:
    """A press on a message (``message_id`` None: too old for Telegram to say which); its chat
    is the person's own when Telegram does not say."""
    return Event(who, Press(data, message_id), kind, bot_username, chat_id or who.id)


class TelegramUser(Protocol):
    """The Bot API's User, as aiogram and python-telegram-bot both read it."""

    @property
    def id(self) -> int: ...
    @property
    def first_name(self) -> str: ...
    @property
    def language_code(self) -> str | None: ...


def person(user: TelegramUser) -> Person:
    return Person(user.id, user.first_name or "", user.language_code)
