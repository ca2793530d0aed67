"""The library's buttons: ``lib:<action>[.<arguments>]``; the shelf and the position travel
in them (nothing is kept in memory between two updates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import CallbackData, chat, custom, kind, text, whole
from bot.core.library.shelves import Shelf

PREFIX: Final = "lib:"
POSITIONS: Final = 10_000  # a position in a shelf is below this (we made it)
TIP_ID: Final = r"[0-9A-Za-z_-][0-9A-Za-z._-]{0,47}"
TIP_REF: Final = r"[0-9A-Za-z._-]{1,40}"


def shelf_code(shelf: Shelf) -> str:
    return shelf.code


@kind
@dataclass(frozen=True)
class TopicsHere(CallbackData, prefix="lib:h"):
    """The topics, in place of the message."""


@kind
@dataclass(frozen=True)
class TopicsAnew(CallbackData, prefix="lib:n"):
    """The topics as a new message (under a tip card or results, which keep their text)."""


@kind
@dataclass(frozen=True)
class AskSearch(CallbackData, prefix="lib:q"):
    pass


@kind
@dataclass(frozen=True)
class Audiences(CallbackData, prefix="lib:f", separator="."):
    shelf: Shelf = custom(Shelf.parse, shelf_code, Shelf())  # noqa: RUF009 - a field, not a default


@kind
@dataclass(frozen=True)
class Levels(CallbackData, prefix="lib:l", separator="."):
    shelf: Shelf = custom(Shelf.parse, shelf_code, Shelf())  # noqa: RUF009 - a field, not a default


@kind
@dataclass(frozen=True)
class Browse(CallbackData, prefix="lib:v", separator="."):
    shelf: Shelf = custom(Shelf.parse, shelf_code, Shelf())  # noqa: RUF009 - a field, not a default
    position: int = whole(POSITIONS)


@kind
@dataclass(frozen=True)
class OpenTip(CallbackData, prefix="lib:o", separator="."):
    tip_id: str = text(TIP_ID, "t" * 48)


@kind
@dataclass(frozen=True)
class ChooseGroup(CallbackData, prefix="lib:g", separator="."):
    tip_id: str = text(TIP_ID, "t" * 48)


@kind
@dataclass(frozen=True)
class SendToGroup(CallbackData, prefix="lib:s", separator="."):
    chat_id: int = chat()
    ref: str = text(TIP_REF, "r" * 40)
