"""What the group flows need from storage (implemented by storage.groups)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from bot.core.timezones import default_zone


@dataclass
class GroupSettings:
    chat_id: int
    title: str = ""
    active: bool = True
    language: str = "en"
    timezone: str = "UTC"
    tip_enabled: bool = False
    tip_hour: int = 8
    topics: list[str] = field(default_factory=list)  # empty: every topic
    audience: str = "everyone"
    level: str = "basic"
    quiz_enabled: bool = False
    quiz_hour: int = 12
    next_tip_at: datetime | None = None
    next_quiz_at: datetime | None = None
    school_days: bool = False  # Monday to Friday only
    paused_until: date | None = None  # the last local day without sends (holidays)
    quiz_anonymous: bool = False  # anonymous polls: no names, no leaderboard
    quiz_open_hours: int = 0  # how long a quiz stays open; 0: until the end of its day
    weekly_board: bool = False  # the week's leaderboard posted at its end
    next_board_at: datetime | None = None


# The settings an administrator chooses; next_* follow their schedule.
_SCHEDULES = (
    ("tip_enabled", "tip_hour", "next_tip_at"),
    ("quiz_enabled", "quiz_hour", "next_quiz_at"),
    ("weekly_board", "weekly_board", "next_board_at"),
)
_CHOICES = (
    "timezone",
    "topics",
    "audience",
    "level",
    "school_days",
    "paused_until",
    "quiz_anonymous",
    "quiz_open_hours",
)


def merge_migrated(old: GroupSettings, new: GroupSettings) -> GroupSettings:
    """The settings of a group that became the supergroup ``new`` when a row for ``new``
    already existed (the supergroup was used before its migration was handled: a row with
    the defaults was made for it). The old group's settings carry over, but a setting that an
    administrator already changed in the supergroup (it differs from a new row's) is kept;
    the title and whether the bot is there are the supergroup's. The language stays the old
    group's: a new row takes its creator's, so it tells nothing of a choice."""
    fresh = GroupSettings(new.chat_id, timezone=default_zone(new.language))
    merged = replace(
        old,
        chat_id=new.chat_id,
        title=new.title or old.title,
        active=new.active,
        topics=list(old.topics),
    )
    for name in _CHOICES:
        if getattr(new, name) != getattr(fresh, name):
            setattr(merged, name, getattr(new, name))
    for enabled, hour, due in _SCHEDULES:
        chosen = (getattr(new, enabled), getattr(new, hour))
        if chosen != (getattr(fresh, enabled), getattr(fresh, hour)):
            for name in (enabled, hour, due):
                setattr(merged, name, getattr(new, name))
    return merged


@dataclass(frozen=True)
class QuizPoll:
    poll_id: str
    chat_id: int
    challenge_id: str
    correct_option: int
    sent_at: datetime
    message_id: int | None = None
    close_at: datetime | None = None  # when the bot stops it (Telegram closes 10 min at most)
    answered: int | None = None  # the final tally, once stopped
    answered_right: int | None = None


@dataclass(frozen=True)
class LeaderboardRow:
    user_id: int
    first_name: str
    score: int
    answered: int
    hidden: bool


class GroupStore(Protocol):
    async def get_group(self, chat_id: int) -> GroupSettings | None: ...
    async def save_group(self, group: GroupSettings, now: datetime) -> None: ...
    async def migrate_group(self, old_chat_id: int, new_chat_id: int) -> None: ...
    async def set_group_active(self, chat_id: int, active: bool) -> None: ...
    async def due_group_sends(self, now: datetime, limit: int) -> list[GroupSettings]: ...
    async def claim_group_send(
        self, chat_id: int, kind: str, due: datetime, following: datetime | None
    ) -> bool: ...
    async def posted_tips(self, chat_id: int) -> dict[str, datetime]: ...
    async def record_tip_posted(self, chat_id: int, tip_id: str, now: datetime) -> None: ...
    async def used_quiz_challenges(self, chat_id: int) -> dict[str, datetime]:
        """The challenges quizzed in the group, each with when it was last sent."""
        ...

    async def record_poll(self, poll: QuizPoll) -> None: ...
    async def get_poll(self, poll_id: str) -> QuizPoll | None: ...
    async def record_poll_answer(
        self, poll_id: str, user_id: int, first_name: str, correct: bool, now: datetime
    ) -> bool: ...
    async def leaderboard(
        self, chat_id: int, since: datetime, until: datetime, limit: int
    ) -> list[LeaderboardRow]: ...
    async def last_closed_quiz(self, chat_id: int) -> QuizPoll | None:
        """The group's latest quiz with its final tally."""
        ...

    async def record_quiz_tally(
        self, poll_id: str, answered: int, answered_right: int
    ) -> None: ...
    async def set_leaderboard_hidden(self, user_id: int, hidden: bool, now: datetime) -> None: ...
    async def enqueue_delivery(
        self, chat_id: int, kind: str, payload: dict[str, Any], due_at: datetime, dedupe_key: str
    ) -> bool:
        """Plan a send through the delivery engine; False if that dedupe key exists."""
        ...
