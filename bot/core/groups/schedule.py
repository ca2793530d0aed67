"""When a group's tip, quiz and weekly leaderboard go out: its hour on the days it posts (every
day or school days, none while paused), in the group's time zone. Everything here is decided
from the stored settings and the clock, so a restart or a second worker decides the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from bot.core.groups.ports import GroupSettings
from bot.core.timezones import zone

HOURS: Final = tuple(range(6, 22))  # 06:00 to 21:00: a school's day, not its night
LATE: Final = timedelta(hours=2)  # a send missed by more (the bot was down) is skipped
OPEN_HOURS: Final = (1, 3, 0)  # how long a quiz stays open; 0: until the end of its day
MIN_OPEN: Final = timedelta(hours=1)
BOARD_WEEKDAY: Final = 4  # the weekly leaderboard: Friday...
BOARD_HOUR: Final = 17  # ...at 17:00, when the school week ends
PAUSE_WEEKS: Final = (1, 2, 3, 4, 6, 8)  # a pause lasts until a Sunday this many weeks on
_HORIZON: Final = 7 * 10 + 7  # days looked ahead: the longest pause and a week


def posts_on(group: GroupSettings, day: date) -> bool:
    """Whether the group posts on this local day."""
    if group.school_days and day.weekday() >= 5:
        return False
    return group.paused_until is None or day > group.paused_until


def next_send(group: GroupSettings, hour: int, now: datetime) -> datetime | None:
    """The first moment after ``now`` it is ``hour``:00 in the group's zone on a day it posts
    (UTC), None if none within the horizon."""
    tz = zone(group.timezone)
    local = now.astimezone(tz)
    for offset in range(_HORIZON):
        day = local.date() + timedelta(days=offset)
        moment = datetime.combine(day, time(hour), tz)
        if moment > local and posts_on(group, day):
            return moment.astimezone(UTC)
    return None


def next_board(group: GroupSettings, now: datetime) -> datetime:
    """The next end of a school week (Friday 17:00 in the group's zone) after ``now``."""
    tz = zone(group.timezone)
    local = now.astimezone(tz)
    friday = local.date() + timedelta(days=(BOARD_WEEKDAY - local.weekday()) % 7)
    moment = datetime.combine(friday, time(BOARD_HOUR), tz)
    if moment <= local:
        moment = datetime.combine(friday + timedelta(days=7), time(BOARD_HOUR), tz)
    return moment.astimezone(UTC)


def missed(group: GroupSettings, due: datetime, now: datetime) -> bool:
    """A send not to make: over two hours late, or due on a day the group no longer posts (the
    settings changed after it was planned)."""
    return now - due > LATE or not posts_on(group, due.astimezone(zone(group.timezone)).date())


def closes_at(group: GroupSettings, sent: datetime) -> datetime:
    """When a quiz sent at ``sent`` is closed: after its open hours, or at 23:59 of its day
    but never within the hour (a quiz sent now late in the evening)."""
    if group.quiz_open_hours:
        return sent + timedelta(hours=group.quiz_open_hours)
    tz = zone(group.timezone)
    end = datetime.combine(sent.astimezone(tz).date(), time(23, 59), tz).astimezone(UTC)
    return max(end, sent + MIN_OPEN)


def pause_end(group: GroupSettings, now: datetime, weeks: int) -> date:
    """The ``weeks``-th Sunday after today (holidays end on a Sunday; school starts on Monday)."""
    tomorrow = now.astimezone(zone(group.timezone)).date() + timedelta(days=1)
    return tomorrow + timedelta(days=6 - tomorrow.weekday() + 7 * (weeks - 1))


def reschedule(group: GroupSettings, now: datetime) -> None:
    """The group's next sends after a change of its settings."""
    group.next_tip_at = next_send(group, group.tip_hour, now) if group.tip_enabled else None
    group.next_quiz_at = next_send(group, group.quiz_hour, now) if group.quiz_enabled else None
    board = group.weekly_board and not group.quiz_anonymous
    group.next_board_at = next_board(group, now) if board else None
