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
    messages of a group becoming a supergroup, in the old group and in the new one. A message
    the group itself sent (``who``: see :func:`sender`) is from an anonymous administrator."""
    admin = who.chat and who.id == chat_id
    if migrate_to is not None:
        return Event(who, GroupMigrated(migrate_to), kind, bot_username, chat_id, admin)
    if migrate_from is not None:
        return Event(who, GroupMigrated(chat_id), kind, bot_username, migrate_from)
    if text is None:
        return Event(who, Unsupported(content), kind, bot_username, chat_id, admin)
    if text.startswith("/"):
        head, _, args = text.partition(" ")
        name, _, mention = head[1:].partition("@")
        if mention and mention.lower() != bot_username.lower():
            return None
        command = Command(name.lower(), args.strip())
        return Event(who, command, kind, bot_username, chat_id, admin)
    return Event(who, Text(text), kind, bot_username, chat_id, admin)


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


class TelegramChat(Protocol):
    """The Bot API's Chat, as aiogram and python-telegram-bot both read it."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str | None: ...


def person(user: TelegramUser) -> Person:
    return Person(user.id, user.first_name or "", user.language_code)


def sender(user: TelegramUser, sender_chat: TelegramChat | None) -> Person:
    """Who sent a message. With ``sender_chat`` it was sent on behalf of a chat, and ``user`` is
    a placeholder Telegram shares between every such chat (@GroupAnonymousBot, @Channel_Bot):
    the group itself for an administrator who remains anonymous, or a channel (a linked one,
    or someone posting as their channel), which administers nothing."""
    if sender_chat is None:
        return person(user)
    return Person(sender_chat.id, sender_chat.title or "", chat=True)
