"""Typed button data: one frozen dataclass per kind of button, packed as its prefix and its
fields (``area:1``, ``opt:<token>:2``, ``lib:v.3pb.4``) and parsed defensively.

Each slice declares its kinds (``bot/core/<slice>/callbacks.py``); declaring a subclass
registers its prefix, and ``parse`` turns data back into the kind that made it, or None for
anything we did not make: garbled, forged, too long or from a version that is gone.

The wire formats are those of the buttons already sent (people press buttons of messages
sent days ago): ``menu``, ``test``, ``profile``, ``settings``, ``language``, ``resume``,
``again``, ``review``, ``tutorials``, ``tip``, ``zones``, ``reminder``; ``area:``, ``comp:``,
``improve:``, ``reset:``, ``lang:``, ``save:``, ``useful:``, ``page:``, ``tz:``, ``remind:``,
``hour:`` and ``erase:yes``; ``opt:<token>:<position>``, ``sub:<token>``, ``skip:<token>``;
the groups' ``grp:<action>[.<value>]``, the campaigns' ``cmp:<action>[.<argument>]`` and the
library's ``lib:<action>[.<arguments>]``. A kind whose format changes must keep parsing the
old one (or let it parse to None: the person is told the button is closed).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import field, fields
from typing import Any, ClassVar, Final, Self, TypeVar

MAX_BYTES: Final = 64  # Telegram's limit for callback data, in UTF-8 bytes
ATTEMPT_REF: Final = r"[A-Za-z0-9_-]{8,16}"  # an attempt's opaque reference
CODE: Final = r"[0-9a-z.]{1,12}"  # a competence, area, language or tutorial reference
LONGEST_CODE: Final = "z" * 12
# What may follow a feature's prefix (``lib:``, ``cmp:``): a slice answers its own stale data.
FEATURE_REST: Final = re.compile(r"[0-9A-Za-z._-]{1,48}")
# Telegram's chat ids have at most 52 significant bits; a group's is negative.
CHAT_ID_LIMIT: Final = 2**52


def new_token() -> str:
    return secrets.token_urlsafe(8)  # 11 characters, 64 random bits


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


# --- field declarations --------------------------------------------------------------------


def text(pattern: str, largest: str) -> Any:
    """A text field matching ``pattern`` (whole); ``largest``: its longest value, for the
    test that every kind fits in 64 bytes."""
    return field(metadata={"read": _matching(re.compile(pattern)), "largest": largest})


def whole(limit: int) -> Any:
    """A whole number from 0 to ``limit`` - 1, written in ASCII digits."""
    return field(metadata={"read": lambda value: number(value, limit), "largest": limit - 1})


def chat() -> Any:
    """A group's chat id (negative)."""
    return field(metadata={"read": group_id, "largest": -(CHAT_ID_LIMIT - 1)})


def custom(
    read: Callable[[str], object | None], write: Callable[[Any], str], largest: object
) -> Any:
    """A field read and written by the kind's own functions (None: not ours)."""
    return field(metadata={"read": read, "write": write, "largest": largest})


def _matching(pattern: re.Pattern[str]) -> Callable[[str], str | None]:
    return lambda value: value if pattern.fullmatch(value) else None


# --- the kinds -----------------------------------------------------------------------------


class CallbackData:
    """A kind of button data. Subclasses are frozen dataclasses declared with their prefix:
    ``@dataclass(frozen=True) class Area(CallbackData, prefix="area"): code: str = text(CODE)``.
    Fields follow the prefix, each after ``separator`` (the last one takes the rest)."""

    prefix: ClassVar[str]
    separator: ClassVar[str]
    _plain: ClassVar[dict[str, type[CallbackData]]] = {}
    _with_fields: ClassVar[list[type[CallbackData]]] = []

    def __init_subclass__(cls, prefix: str = "", separator: str = ":", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix:
            raise TypeError(f"{cls.__name__} needs a prefix")
        cls.prefix, cls.separator = prefix, separator

    @classmethod
    def register(cls, kind: type[CallbackData]) -> None:
        """Called once the dataclass is built (``@kind``): its fields are known then."""
        if fields(kind):  # type: ignore[arg-type]
            if any(k.prefix == kind.prefix for k in cls._with_fields):
                raise TypeError(f"two kinds of button data use the prefix {kind.prefix!r}")
            cls._with_fields.append(kind)
            cls._with_fields.sort(key=lambda k: -len(k.prefix))
        else:
            if kind.prefix in cls._plain:
                raise TypeError(f"two kinds of button data are {kind.prefix!r}")
            cls._plain[kind.prefix] = kind

    @classmethod
    def kinds(cls) -> tuple[type[CallbackData], ...]:
        return (*cls._plain.values(), *cls._with_fields)

    def pack(self) -> str:
        values = [
            f.metadata.get("write", str)(getattr(self, f.name))
            for f in fields(self)  # type: ignore[arg-type]
        ]
        data = self.separator.join([self.prefix, *values]) if values else self.prefix
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button data longer than {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, rest: str) -> Self | None:
        """The kind from what follows its prefix and separator, or None."""
        declared = fields(cls)  # type: ignore[arg-type]
        parts = rest.split(cls.separator, len(declared) - 1)
        if len(parts) != len(declared):
            return None
        values = []
        for declaration, part in zip(declared, parts, strict=True):
            value = declaration.metadata["read"](part)
            if value is None:
                return None
            values.append(value)
        return cls(*values)


K = TypeVar("K", bound=type[CallbackData])


def kind(cls: K) -> K:
    """Register a kind of button data (applied above ``@dataclass(frozen=True)``)."""
    CallbackData.register(cls)
    return cls


def parse(data: str) -> CallbackData | None:
    """The button data's kind, or None for anything we did not make."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    plain = CallbackData._plain.get(data)
    if plain is not None:
        return plain()
    for candidate in CallbackData._with_fields:
        head = candidate.prefix + candidate.separator
        if data.startswith(head):
            return candidate.unpack(data[len(head) :])
    return None
