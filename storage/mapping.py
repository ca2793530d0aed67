"""Rows to the core's records and back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.core.ports import User

if TYPE_CHECKING:  # storage.models imports the feature modules, which import this one
    from storage.models import UserRow


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


def user_record(row: UserRow) -> User:
    values = {name: getattr(row, name) for name in USER_FIELDS}
    if values["next_reminder_at"] is not None:
        values["next_reminder_at"] = aware(values["next_reminder_at"])
    return User(id=row.id, **values)


def user_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in USER_FIELDS}
