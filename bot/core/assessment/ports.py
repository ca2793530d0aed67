"""What the assessment's feedback needs from storage (implemented by storage.feedback): a
learner's report on a question ("⚠️ Report a problem", as Pix's "Signaler un problème"), and the
anonymous count of typed answers marked wrong, for the authors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Protocol

REPORT_TEXT_LIMIT: Final = 300  # what a learner may type about a question
REJECTED_ANSWER_LIMIT: Final = 100  # a rejected answer is counted up to this length


class ReportReason(StrEnum):
    """Why a learner reports a question (stored as its value)."""

    KEY = "key"  # the answer key is wrong
    UNCLEAR = "unclear"  # the question is unclear
    TYPO = "typo"  # a typo or a mistake in the text
    OTHER = "other"  # something else, said in a short text


class Cancelled(StrEnum):
    """What cancelling the text of a report left."""

    NOTHING = "nothing"  # no text was awaited
    DROPPED = "dropped"  # the report being written is gone
    KEPT = "kept"  # the learner's earlier report on that question stands


@dataclass(frozen=True)
class Report:
    """One learner's report on one challenge (one per learner and challenge: a second report
    updates the first)."""

    challenge_id: str
    language: str  # the content language the challenge was shown in
    reason: ReportReason
    text: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RejectedAnswer:
    """A typed answer marked wrong, counted without who typed it."""

    challenge_id: str
    language: str
    field: int  # 0: a text challenge's answer; n: the n-th field of a fields challenge
    answer: str  # as typed, after pretreat and trim, cut at REJECTED_ANSWER_LIMIT
    count: int
    last_seen: date


class FeedbackStore(Protocol):
    async def save_report(
        self,
        user_id: int,
        challenge_id: str,
        language: str,
        reason: ReportReason,
        text: str | None,
        now: datetime,
    ) -> None:
        """Store the learner's report on the challenge, or update the one they made."""
        ...

    async def await_report_text(
        self, user_id: int, challenge_id: str, language: str, now: datetime
    ) -> None:
        """The learner is writing what is wrong with the challenge: their next report text
        goes there (and no longer to any other challenge)."""
        ...

    async def save_report_text(self, user_id: int, text: str, now: datetime) -> bool:
        """The awaited text: the report becomes "something else" with it. False when no text
        was awaited."""
        ...

    async def cancel_report_text(self, user_id: int) -> Cancelled: ...

    async def count_rejected(
        self, challenge_id: str, language: str, field: int, answer: str, day: date
    ) -> None:
        """Count one more learner whose typed ``answer`` was marked wrong (never who)."""
        ...
