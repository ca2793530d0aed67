"""Time zones a person can pick or type: IANA names, UTC offsets, city names."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, timedelta, timezone, tzinfo
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

COMMON: Final = (
    "Europe/Paris",
    "Europe/London",
    "Europe/Stockholm",
    "America/New_York",
    "America/Montreal",
    "Africa/Abidjan",
    "Asia/Kolkata",
    "UTC",
)
# A new group's zone, from the language of whoever added the bot (a teacher changes it).
LANGUAGE_ZONES: Final = {"fr": "Europe/Paris", "sv": "Europe/Stockholm"}
NAME_LIMIT: Final = 64  # no zone is named longer (and the database keeps 64 characters)
_OFFSET: Final = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_")


@cache
def _cities() -> dict[str, str]:
    """'paris' -> 'Europe/Paris', 'new_york' -> 'America/New_York' (first area wins)."""
    found: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            found.setdefault(_fold(name.rsplit("/", 1)[1]), name)
    return found


def parse(text: str) -> str | None:
    """A stored time zone name for what a person typed, or None."""
    if len(text.strip()) > NAME_LIMIT:
        return None
    folded = _fold(text)
    if folded in ("utc", "gmt", "z"):
        return "UTC"
    match = _OFFSET.match(text.strip().lower())
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes >= 60:
            return None
        return f"UTC{sign}{hours:02d}:{minutes:02d}"
    for name in available_timezones():
        if _fold(name) == folded:
            return name
    return _cities().get(folded)


def zone(name: str) -> tzinfo:
    """The tzinfo of a stored name (an IANA name or UTC±HH:MM); UTC if unknown."""
    if name.startswith("UTC") and len(name) == 9:
        sign = 1 if name[3] == "+" else -1
        return timezone(sign * timedelta(hours=int(name[4:6]), minutes=int(name[7:9])))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def default_zone(language: str) -> str:
    return LANGUAGE_ZONES.get(language, "UTC")
