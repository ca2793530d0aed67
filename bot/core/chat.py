"""The plain vocabulary between adapters and the core: what a person did, what to show them.

Texts are Telegram-flavoured HTML (only <b>, <i>, <a>, <code>), already escaped; adapters for
plain terminals strip the tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.core.text import NAME_LIMIT, TITLE_LIMIT, clean


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str = ""
    language_code: str | None = None
    # A chat speaking, not a person: a group's anonymous administrator (the group itself) or
    # a channel posting in a group. ``id`` is then the chat's; nobody's private chat.
    chat: bool = False


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True)
class Command:
    name: str  # without the slash, lowercase
    args: str = ""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Press:
    data: str  # the button's opaque reference
    message_id: int | None = None


@dataclass(frozen=True)
class Unsupported:
    kind: str  # sticker, photo, voice...


@dataclass(frozen=True)
class Blocked:
    """The person blocked (True) or unblocked (False) the bot in their private chat."""

    blocked: bool


@dataclass(frozen=True)
class GroupJoined:
    """The bot was added to a group (by ``Event.person``)."""

    title: str = ""


@dataclass(frozen=True)
class GroupLeft:
    """The bot was removed from a group, or the group is gone."""


@dataclass(frozen=True)
class GroupMigrated:
    """The group became a supergroup with a new id."""

    new_chat_id: int


@dataclass(frozen=True)
class PollAnswer:
    """A member answered (or retracted, with no option) a quiz poll the bot sent."""

    poll_id: str
    option_ids: tuple[int, ...]


@dataclass(frozen=True)
class InlineQuery:
    """Someone typed ``@bot words`` in any chat; ``offset`` pages through the results."""

    query: str
    offset: str = ""


Input = (
    Command
    | Text
    | Press
    | Unsupported
    | Blocked
    | GroupJoined
    | GroupLeft
    | GroupMigrated
    | PollAnswer
    | InlineQuery
)


@dataclass(frozen=True)
class Event:
    person: Person
    input: Input
    chat: ChatKind = ChatKind.PRIVATE
    bot_username: str = ""
    chat_id: int = 0  # the group's id (for private chats, the person's id)
    admin: bool = False  # the person administers this group (checked by the adapter)
    update_id: int | None = None  # the messenger's id: a redelivered update is handled once


def cleaned(event: Event) -> Event:
    """``event`` with the person's texts as the core takes them, whatever the adapter: no NUL
    (PostgreSQL text cannot hold it) nor other control characters, line breaks only in typed
    text (multi-line answers), names and titles within Telegram's limits. Button data and
    inline offsets stay as they came: they are parsed strictly where they are read."""
    person = event.person
    name = clean(person.first_name)[:NAME_LIMIT]
    if name != person.first_name:
        person = replace(person, first_name=name)
    given = event.input
    match given:
        case Text(text=text):
            given = Text(clean(text, multiline=True))
        case Command(name=command, args=args):
            given = Command(clean(command), clean(args))
        case InlineQuery(query=query, offset=offset):
            given = InlineQuery(clean(query), offset)
        case GroupJoined(title=title):
            given = GroupJoined(clean(title)[:TITLE_LIMIT])
    if person is event.person and given == event.input:
        return event
    return replace(event, person=person, input=given)


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # callback reference, at most 64 bytes
    url: str = ""  # or a link
    # Or: pick a chat and type "@bot <this>" there (inline mode); terminals cannot press it.
    switch_inline: str | None = None
    # Or: open this HTTPS page as a Telegram Mini App (it gets the person's signed initData);
    # private chats only. Terminals show it as a link.
    web_app: str = ""


Keyboard = tuple[tuple[Button, ...], ...]


def in_rows(buttons: Sequence[Button], width: int) -> list[tuple[Button, ...]]:
    """``buttons`` in rows of at most ``width`` (a phone cuts the labels of wider rows)."""
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    text: str
    buttons: Keyboard = ()
    image: bytes | None = None
    # When set, the adapter reports the sent message id with this key, so the core can
    # close the message's buttons later (a challenge answered by typing).
    track: str | None = None
    expects_text: bool = False  # the learner answers by typing (terminals read input as text)
    file: Attachment | None = None  # a document sent with the text as its caption
    # When set and ``image`` is sent, the adapter reports the photo's file id with this key
    # (``Conversation.photo_sent``), so an inline answer can send that photo again.
    photo_key: str | None = None


@dataclass(frozen=True)
class Edit:
    """Change an earlier message: ``message_id`` None means the one whose button was pressed."""

    message_id: int | None
    text: str | None  # None keeps the text
    buttons: Keyboard = ()


@dataclass(frozen=True)
class InlineResult:
    id: str  # at most 64 bytes
    title: str
    description: str
    text: str  # the message inserted when chosen (Telegram HTML)


@dataclass(frozen=True)
class InlinePhoto:
    """A photo Telegram already holds (its file id), inserted with a caption and buttons."""

    id: str  # at most 64 bytes
    file_id: str
    caption: str  # Telegram HTML, at most 1024 characters
    buttons: Keyboard = ()


@dataclass(frozen=True)
class InlineAnswer:
    results: tuple[InlineResult | InlinePhoto, ...]
    next_offset: str = ""
    cache_seconds: int = 60
    personal: bool = True  # Telegram caches the answer per person, not per query


@dataclass
class Outcome:
    messages: list[Message] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    notice: str | None = None  # the short answer to a button press (a toast)
    inline: InlineAnswer | None = None  # the answer to an inline query


def replacing(message: Message) -> Outcome:
    """A navigation screen in place of the message whose button was pressed."""
    return Outcome(edits=[Edit(None, message.text, message.buttons)])
