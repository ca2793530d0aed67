"""What a runtime gives the serving layer: the few Bot API calls the bot makes, with its
library's errors mapped to :mod:`bot.delivery.errors` (429 ``RetryAfter``; 403 and a 400 that
means the chat is gone ``Forbidden``; a group turned supergroup ``Migrated``; any other refusal
``Rejected``; network and server errors ``Transient``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final, Protocol

from bot.core.chat import Keyboard

MESSAGE_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
NOTICE_LIMIT: Final = 200
# A 400 that means the chat is gone for good, like a 403.
GONE: Final = ("chat not found", "user not found", "group chat was deactivated", "peer_id_invalid")


def gone(description: str) -> bool:
    """Whether a 400's description means the chat is gone for good."""
    return any(reason in description.lower() for reason in GONE)


class MenuScope(Enum):
    """Who sees a command menu."""

    PRIVATE = "private"
    GROUPS = "groups"
    GROUP_ADMINS = "group_admins"


@dataclass(frozen=True)
class Quiz:
    """A quiz poll in a group (the delivery worker's ``poll`` payload)."""

    question: str
    options: tuple[str, ...]
    correct_option_ids: tuple[int, ...]
    explanation: str | None = None
    explanation_parse_mode: str | None = None
    open_period: int | None = None
    is_anonymous: bool = False  # no names: the group chose anonymous quizzes


@dataclass(frozen=True)
class SentPoll:
    message_id: int
    poll_id: str | None


@dataclass(frozen=True)
class SentPhoto:
    message_id: int
    file_id: str | None  # its largest size's, which an inline answer can send again


class Transport(Protocol):
    """The Bot API calls of one bot. Texts are HTML; every method raises only
    :class:`bot.delivery.errors.DeliveryError`s."""

    async def send_text(self, chat_id: int, text: str, buttons: Keyboard = ()) -> int:
        """The sent message's id."""
        ...

    async def send_photo(
        self, chat_id: int, image: bytes, caption: str | None, buttons: Keyboard = ()
    ) -> SentPhoto: ...

    async def send_document(
        self, chat_id: int, data: bytes, name: str, caption: str, buttons: Keyboard = ()
    ) -> int: ...

    async def send_quiz(self, chat_id: int, quiz: Quiz) -> SentPoll: ...

    async def stop_poll(self, chat_id: int, message_id: int) -> tuple[int, ...]:
        """Close a poll the bot sent; its final votes per option."""
        ...

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard = ()
    ) -> None: ...

    async def edit_buttons(
        self, chat_id: int, message_id: int, buttons: Keyboard = ()
    ) -> None: ...

    async def answer_press(self, press_id: str, notice: str | None) -> None:
        """Stop a press's spinner, with a toast when ``notice``."""
        ...

    async def set_commands(
        self, scope: MenuScope, language: str | None, commands: Sequence[tuple[str, str]]
    ) -> None: ...
