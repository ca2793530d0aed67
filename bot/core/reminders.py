"""When the next daily reminder is due, in UTC, for a local hour in a time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.core.timezones import zone


def next_reminder(timezone: str, hour: int, now: datetime, skip_today: bool = False) -> datetime:
    """The next moment it is ``hour``:00 in ``timezone`` (tomorrow's if ``skip_today``)."""
    tz = zone(timezone)
    local_now = now.astimezone(tz)
    day = local_now.date()
    candidate = datetime.combine(day, time(hour), tz)
    if skip_today or candidate <= local_now:
        candidate = datetime.combine(day + timedelta(days=1), time(hour), tz)
    return candidate.astimezone(UTC)
