"""Button references: short, opaque for challenges (a random token), parsed defensively."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Final

MAX_BYTES: Final = 64
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{8,16}")

MENU: Final = "menu"
TEST: Final = "test"
PROFILE: Final = "profile"
SETTINGS: Final = "settings"
LANGUAGE: Final = "language"
RESUME: Final = "resume"
AGAIN: Final = "again"  # a test from a result or profile message, which keeps its text
REVIEW: Final = "review"
TUTORIALS: Final = "tutorials"
TIP: Final = "tip"
TIMEZONE: Final = "zones"
REMINDER: Final = "reminder"
ERASE: Final = "erase"
SIMPLE: Final = frozenset(
    {
        MENU,
        TEST,
        PROFILE,
        SETTINGS,
        LANGUAGE,
        RESUME,
        AGAIN,
        REVIEW,
        TUTORIALS,
        TIP,
        TIMEZONE,
        REMINDER,
        ERASE,
    }
)
# Features that parse their own argument (letters, digits, . _ -): campaigns, groups.
FEATURES: Final = frozenset({"cmp", "grp", "lib"})
# Kinds that carry one short argument: a code, a page, an hour, a tutorial reference...
WITH_ARGUMENT: Final = frozenset(
    {
        "area",
        "comp",
        "lang",
        "improve",
        "reset",
        "save",
        "useful",
        "page",
        "tz",
        "remind",
        "hour",
        "erase",
    }
)


def new_token() -> str:
    return secrets.token_urlsafe(8)  # 11 characters, 64 random bits


def area(code: str) -> str:
    return f"area:{code}"


def competence(code: str) -> str:
    return f"comp:{code}"


def improve(code: str) -> str:
    return f"improve:{code}"


def reset(code: str) -> str:
    return f"reset:{code}"


def set_language(code: str) -> str:
    return f"lang:{code}"


def option(token: str, position: int) -> str:
    return f"opt:{token}:{position}"


def save(ref: str) -> str:
    return f"save:{ref}"


def useful(ref: str) -> str:
    return f"useful:{ref}"


def page(number: int) -> str:
    return f"page:{number}"


def timezone(index: int) -> str:
    return f"tz:{index}"


def reminder(choice: str) -> str:
    return f"remind:{choice}"


def hour(value: int) -> str:
    return f"hour:{value}"


def submit(token: str) -> str:
    return f"sub:{token}"


def skip(token: str) -> str:
    return f"skip:{token}"


# Telegram's chat ids have at most 52 significant bits; a group's is negative.
CHAT_ID_LIMIT: Final = 2**52


def number(text: str, limit: int) -> int | None:
    """``text`` read as a whole number from 0 to ``limit`` - 1, or None: only ASCII digits
    (``str.isdigit`` also accepts "²" and "٣", which ``int`` refuses or reads), no sign, no
    spaces, and never a number so long that reading it costs (forged data)."""
    if not 0 < len(text) <= len(str(limit)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value < limit else None


def group_id(text: str) -> int | None:
    """A group's chat id written in button data ("-100123…"), or None."""
    if not text.startswith("-"):
        return None
    value = number(text[1:], CHAT_ID_LIMIT)
    return -value if value else None


@dataclass(frozen=True)
class Parsed:
    kind: str
    arg: str = ""
    token: str = ""
    position: int = -1


def parse(data: str) -> Parsed | None:
    """None for anything we did not make: garbled, forged or from an older version."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    if data in SIMPLE:
        return Parsed(data)
    kind, _, rest = data.partition(":")
    if kind in WITH_ARGUMENT and re.fullmatch(r"[0-9a-z.]{1,12}", rest):
        return Parsed(kind, arg=rest)
    if kind in FEATURES and re.fullmatch(r"[0-9A-Za-z._-]{1,48}", rest):
        return Parsed(kind, arg=rest)
    if kind in ("sub", "skip") and _TOKEN.fullmatch(rest):
        return Parsed(kind, token=rest)
    if kind == "opt":
        token, _, position = rest.partition(":")
        if _TOKEN.fullmatch(token) and re.fullmatch(r"[0-9]{1,2}", position):
            return Parsed(kind, token=token, position=int(position))
    return None
