"""Rows to the core's records and back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeAlias

from bot.core.ports import User

# A row read past the ORM, an ORM object or a namespace: its columns as attributes.
Columns: TypeAlias = Any


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


USER_FIELDS = (
    "language",
    "language_chosen",
    "first_name",
    "timezone",
    "reminders",
    "reminder_hour",
    "next_reminder_at",
    "active",
    "streak_days",
    "streak_last_day",
    "awaiting",
)


def user_record(row: Columns) -> User:
    values = {name: getattr(row, name) for name in USER_FIELDS}
    if values["next_reminder_at"] is not None:
        values["next_reminder_at"] = aware(values["next_reminder_at"])
    return User(id=row.id, **values)


def user_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in USER_FIELDS}
