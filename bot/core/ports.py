"""What the core needs from storage, as Protocols; ``storage`` implements them.

Records are plain dataclasses so the core never sees a database row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from bot.core.assessment.ports import FeedbackStore
from bot.core.campaigns.ports import CampaignStore
from bot.core.groups.ports import GroupStore
from bot.core.library.ports import LibraryStore
from bot.core.review import ReviewCard
from bot.core.scoring import Knowledge
from bot.core.sharing.ports import SharingStore

Clock = Callable[[], datetime]


class Awaiting(StrEnum):
    """The typed input expected next from a person (stored as its value)."""

    TIMEZONE = "timezone"
    LIBRARY_SEARCH = "library_search"
    CAMPAIGN_NAME = "campaign_name"
    REPORT_TEXT = "report_text"  # what is wrong with a question, in a few words
    CAMPAIGN_LABEL = "campaign_label"  # what a new campaign asks each learner for
    CAMPAIGN_IDENTIFIER = "campaign_ident"  # the learner's identifier for a campaign

    @classmethod
    def read(cls, value: object) -> Awaiting | None:
        """The stored value as a member; None for nothing or a value no version awaits now."""
        if value is None or isinstance(value, cls):
            return value
        try:
            return cls(str(value))
        except ValueError:
            return None


class AssessmentStatus(StrEnum):
    STARTED = "started"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


@dataclass
class User:
    id: int
    language: str
    first_name: str = ""
    language_chosen: bool = False  # set by /language; otherwise follows Telegram's
    timezone: str = "UTC"
    reminders: bool = False
    reminder_hour: int = 18
    next_reminder_at: datetime | None = None
    active: bool = True
    streak_days: int = 0
    streak_last_day: date | None = None
    awaiting: Awaiting | None = None  # the typed input expected next

    def __post_init__(self) -> None:
        self.awaiting = Awaiting.read(self.awaiting)  # storage hands back the stored text


REVIEW: Final = "review"  # the engine and competence of a review session


@dataclass
class Assessment:
    id: int
    user_id: int
    competence: str
    engine: str
    seed: int
    status: AssessmentStatus
    started_at: datetime
    finished_at: datetime | None = None
    pix: int | None = None
    level: int | None = None
    based_on: int | None = None  # improving this earlier assessment: its validated skills stay
    # The challenges met before it started (None: not recorded, read them from the answers).
    seen_before: frozenset[str] | None = None


@dataclass
class Attempt:
    """A challenge served in an assessment, answered or pending."""

    id: int
    token: str  # the opaque reference its buttons carry
    assessment_id: int
    user_id: int
    challenge_id: str
    position: int  # 1-based
    language: str  # content language it was shown in
    option_order: list[int] = field(default_factory=list)  # shown position -> option index
    selection: list[int] = field(default_factory=list)  # multiple choice: chosen option indexes
    fields: list[str] = field(default_factory=list)  # fields typed so far, one message each
    message_id: int | None = None
    answered: bool = False
    correct: bool | None = None
    skipped: bool = False
    value: str | None = None


@dataclass(frozen=True)
class Sitting:
    """An assessment with its attempts in order, read together (one query on the hot path)."""

    assessment: Assessment
    attempts: list[Attempt]


@dataclass(frozen=True)
class CompetenceResult:
    competence: str
    pix: int
    level: int
    finished_at: datetime
    assessment_id: int = 0
    last_activity: datetime | None = None  # the latest answer on this competence


class AlreadyAnswered(Exception):
    """The attempt has an answer already (a double tap, a second process)."""


class Store(CampaignStore, GroupStore, LibraryStore, FeedbackStore, SharingStore, Protocol):
    async def get_user(self, user_id: int) -> User | None: ...
    async def add_user(self, user: User, now: datetime) -> None: ...
    async def save_user(self, user: User, now: datetime) -> None: ...

    async def active_assessment(self, user_id: int) -> Assessment | None: ...
    async def active_sitting(self, user_id: int) -> Sitting | None:
        """The assessment in progress with its attempts."""
        ...

    async def sitting_of(self, token: str) -> Sitting | None:
        """The assessment the attempt ``token`` belongs to, with its attempts."""
        ...

    async def get_assessment(self, assessment_id: int) -> Assessment | None: ...
    async def add_assessment(
        self,
        user_id: int,
        competence: str,
        engine: str,
        seed: int,
        now: datetime,
        based_on: int | None = None,
        seen_before: frozenset[str] | None = None,
    ) -> Assessment: ...
    async def abandon_assessments(self, user_id: int, now: datetime) -> None: ...
    async def finish_assessment(
        self, assessment: Assessment, knowledge: Mapping[str, Knowledge], now: datetime
    ) -> None: ...

    async def attempts(self, assessment_id: int) -> list[Attempt]: ...
    async def attempt_by_token(self, token: str) -> Attempt | None: ...
    async def add_attempt(self, attempt: Attempt, now: datetime) -> Attempt: ...
    async def save_attempt_progress(self, attempt: Attempt) -> None: ...
    async def record_answer(
        self,
        attempt: Attempt,
        value: str,
        correct: bool,
        skipped: bool,
        now: datetime,
        card: ReviewCard | None = None,
    ) -> bool:
        """Record the answer and, with ``card``, insert that card unless its skill has one:
        True when it did. Raise AlreadyAnswered (and write nothing) when the attempt already
        has an answer."""
        ...

    async def seen_challenges(self, user_id: int) -> set[str]: ...
    async def knowledge_of(self, assessment_id: int) -> dict[str, Knowledge]: ...
    async def latest_results(self, user_id: int) -> dict[str, CompetenceResult]: ...

    # --- coming back: reviews, tutorials, tips, reminders, privacy -------------------------
    async def due_reviews(self, user_id: int, now: datetime, limit: int) -> list[ReviewCard]: ...
    async def count_due_reviews(self, user_id: int, now: datetime) -> int: ...
    async def review_card(self, user_id: int, skill: str) -> ReviewCard | None: ...
    async def add_review_card(self, card: ReviewCard, now: datetime) -> bool:
        """Insert a new card; False (and nothing written) when the skill has one already."""
        ...

    async def save_review_card(self, card: ReviewCard, now: datetime) -> None: ...
    async def next_review_due(self, user_id: int) -> datetime | None: ...

    async def save_tutorial(self, user_id: int, tutorial_id: str, now: datetime) -> None: ...
    async def saved_tutorials(self, user_id: int) -> list[tuple[str, bool | None]]: ...
    async def rate_tutorial(
        self, user_id: int, tutorial_id: str, useful: bool, now: datetime
    ) -> None: ...
    async def failed_skills(self, user_id: int) -> list[str]: ...

    async def tip_views(self, user_id: int) -> dict[str, datetime]: ...
    async def saw_tip(self, user_id: int, tip_id: str, now: datetime) -> None: ...

    async def due_reminders(self, now: datetime, limit: int) -> list[User]: ...
    async def claim_reminder(self, user_id: int, due: datetime, following: datetime) -> bool:
        """Move the reminder from ``due`` to ``following``; False if another process did."""
        ...

    async def set_active(self, user_id: int, active: bool) -> None: ...

    async def export_user(self, user_id: int) -> dict[str, Any]: ...
    async def delete_user(self, user_id: int) -> None: ...

    async def claim_update(self, update_id: int, now: datetime) -> bool:
        """Record a messenger update as handled; False when it already was."""
        ...

    async def claim_update_of(
        self, update_id: int, now: datetime, user_id: int
    ) -> tuple[bool, User | None]:
        """``claim_update`` and ``get_user`` together (one round trip where the database can)."""
        ...

    async def forget_updates(self, before: datetime) -> int: ...

    async def commit(self) -> None: ...


class StoreFactory(Protocol):
    """``async with stores() as store``: one transaction, kept by ``store.commit()``."""

    def __call__(self) -> AbstractAsyncContextManager[Store]: ...

    async def set_message_id(self, token: str, message_id: int) -> None:
        """Record the message showing an attempt's challenge: one write that stands alone,
        taking effect at once (no transaction, so no BEGIN nor COMMIT round trip)."""
        ...
