"""Streaks: days in a row with at least one answered challenge, in the learner's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core.timezones import zone


def local_day(timezone: str, moment: datetime) -> date:
    return moment.astimezone(zone(timezone)).date()


def after_answer(days: int, last_day: date | None, today: date) -> tuple[int, date]:
    """The streak once an answer is given ``today`` (local)."""
    if last_day == today:
        return max(days, 1), today
    if last_day == today - timedelta(days=1):
        return days + 1, today
    return 1, today


def current(days: int, last_day: date | None, today: date) -> int:
    """A streak still counts today if its last day was today or yesterday."""
    if last_day is None or last_day < today - timedelta(days=1):
        return 0
    return days
