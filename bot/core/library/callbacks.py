"""The library's buttons: ``lib:<action>[.<arguments>]``; the shelf and the position travel
in them (nothing is kept in memory between two updates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import CallbackData, chat, custom, kind, text, whole
from bot.core.library.shelves import Shelf
from bot.core.tip_search import QUERY_LIMIT, words

PREFIX: Final = "lib:"
POSITIONS: Final = 10_000  # a position in a shelf is below this (we made it)
SEARCH_PAGES: Final = 100  # a page of search results is below this
# A search as its "More" button carries it: its folded words joined by "-", within what a
# feature's data may hold after "lib:" (bot.core.callbacks.FEATURE_REST) with "m.99.".
CARRIED_SEARCH: Final = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")
CARRIED_LIMIT: Final = 48 - len("m.99.")
TIP_ID: Final = r"[0-9A-Za-z_-][0-9A-Za-z._-]{0,47}"
TIP_REF: Final = r"[0-9A-Za-z._-]{1,40}"


def shelf_code(shelf: Shelf) -> str:
    return shelf.code


def carried_search(value: str) -> str | None:
    return value if len(value) <= CARRIED_LIMIT and CARRIED_SEARCH.fullmatch(value) else None


def carried(query: str) -> str | None:
    """``query`` as a "More" button carries it (the same search), or None when it does not fit
    (long, or in letters that do not fold to a-z)."""
    return carried_search("-".join(words(query[:QUERY_LIMIT])))


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


@kind
@dataclass(frozen=True)
class SearchPage(CallbackData, prefix="lib:m", separator="."):
    """A page of a search's results, in place of the one shown: the search travels in the
    button (nothing is kept in memory), as its words folded (``CARRIED_SEARCH``)."""

    page: int = whole(SEARCH_PAGES)
    words: str = custom(carried_search, str, "w" * CARRIED_LIMIT)
