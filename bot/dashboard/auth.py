"""Who opened the dashboard: Telegram's Mini App ``initData``, checked as Telegram documents
(https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).

The data-check string is every received field but ``hash``, as ``key=value`` sorted by key and
joined by line feeds; the secret key is HMAC-SHA-256 of the bot token keyed with
``"WebAppData"``; the hash is the hex HMAC-SHA-256 of the data-check string under that key.
A page can only replay what Telegram signed, so the data also expire: an ``auth_date`` older
than :data:`MAX_AGE`, or in the future, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import parse_qsl

MAX_AGE: Final = timedelta(hours=1)
CLOCK_SKEW: Final = timedelta(minutes=1)  # a phone's clock a little ahead is not "the future"
INIT_DATA_LIMIT: Final = 8192  # characters: Telegram's own are well under 2 KB


class NotAuthenticated(Exception):
    """The initData is missing, malformed, not signed with this bot's token, or too old."""


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    language_code: str | None
    auth_date: datetime


def secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature(fields: dict[str, str], token: str) -> str:
    """The ``hash`` Telegram puts in initData holding ``fields``."""
    return hmac.new(
        secret_key(token), data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()


def checked_user(init_data: str, token: str, now: datetime) -> WebAppUser:
    """The user of a genuine and fresh ``init_data``; NotAuthenticated otherwise."""
    if not init_data or len(init_data) > INIT_DATA_LIMIT:
        raise NotAuthenticated("no initData" if not init_data else "initData too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise NotAuthenticated("initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise NotAuthenticated("a field given twice")
    given = fields.get("hash", "")
    if not hmac.compare_digest(given.encode(), signature(fields, token).encode()):
        raise NotAuthenticated("bad signature")
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        raise NotAuthenticated("no auth_date") from None
    if signed_at > now + CLOCK_SKEW:
        raise NotAuthenticated("auth_date in the future")
    if now - signed_at > MAX_AGE:
        raise NotAuthenticated("expired")
    try:
        user = json.loads(fields["user"])
        user_id = user["id"]
    except (KeyError, ValueError, TypeError):
        raise NotAuthenticated("no user") from None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise NotAuthenticated("no user id")
    language = user.get("language_code")
    return WebAppUser(
        user_id,
        str(user.get("first_name", "")),
        language if isinstance(language, str) else None,
        signed_at,
    )
