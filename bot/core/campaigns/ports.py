"""What the campaign flows need from storage (implemented by storage.campaigns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class Campaign:
    id: int
    code: str  # 6 uppercase letters + 3 digits
    name: str
    owner_id: int
    owner_name: str  # the educator's first name
    competences: tuple[str, ...]  # the targeted competences, in framework order
    created_at: datetime
    closed_at: datetime | None = None
    # What the campaign asks each learner for when they join (Pix Orga's external id), e.g.
    # "Student number"; None: nothing asked.
    identifier_label: str | None = None


@dataclass(frozen=True)
class CampaignDraft:
    """A campaign being created: its name, then the competences ticked so far."""

    name: str
    competences: tuple[str, ...] = ()
    identifier_label: str | None = None


@dataclass(frozen=True)
class Participation:
    id: int
    campaign_id: int
    user_id: int
    number: int  # the participant's number in the campaign: 1, 2, ... (never a Telegram id)
    consented_at: datetime
    shared_at: datetime | None = None
    first_name: str = ""
    identifier: str | None = None  # what the learner typed for the campaign's label


@dataclass(frozen=True)
class CompetenceScore:
    level: int
    pix: int


@dataclass(frozen=True)
class ParticipantResult:
    participation: Participation
    # Targeted competences whose campaign test is finished: the latest such result.
    done: dict[str, CompetenceScore] = field(default_factory=dict)


@dataclass(frozen=True)
class ClassMember:
    """A participant as the class report reads them, in one pass over the campaign."""

    participation: Participation
    started: frozenset[str]  # competences with a campaign test started (finished or not)
    # Competence -> the latest finished campaign test on it.
    done: dict[str, CompetenceScore] = field(default_factory=dict)
    # Skill -> validated, from the knowledge elements of those latest tests; read only for
    # shared participations (nobody else's skills leave the database).
    skills: dict[str, bool] = field(default_factory=dict)
    language: str = "en"  # the learner's interface language (a reminder speaks it)
    asked: frozenset[str] = frozenset()  # of those skills, the ones a challenge asked directly


class CampaignStore(Protocol):
    """Campaign queries; see bot.core.campaigns."""

    # --- educators and drafts --------------------------------------------------------------
    async def is_educator(self, user_id: int) -> bool: ...
    async def add_educator(self, user_id: int, now: datetime) -> None: ...
    async def campaign_draft(self, user_id: int) -> CampaignDraft | None: ...
    async def save_campaign_draft(
        self, user_id: int, draft: CampaignDraft, now: datetime
    ) -> None: ...
    async def delete_campaign_draft(self, user_id: int) -> None: ...

    # --- campaigns -------------------------------------------------------------------------
    async def add_campaign(
        self,
        code: str,
        name: str,
        owner_id: int,
        competences: Sequence[str],
        now: datetime,
        identifier_label: str | None = None,
    ) -> Campaign | None:
        """None when ``code`` is taken already (draw another)."""
        ...

    async def campaign_by_code(self, code: str) -> Campaign | None: ...
    async def campaign_by_id(self, campaign_id: int) -> Campaign | None: ...
    async def owned_campaigns(self, owner_id: int) -> list[tuple[Campaign, int]]:
        """The educator's campaigns, newest first, with their participant counts."""
        ...

    async def close_campaign(self, campaign_id: int, now: datetime) -> None: ...

    # --- participations ----------------------------------------------------------------------
    async def participation(self, campaign_id: int, user_id: int) -> Participation | None: ...
    async def add_participation(
        self, campaign_id: int, user_id: int, now: datetime
    ) -> Participation:
        """Idempotent: the existing participation when there is one."""
        ...

    async def open_participations(self, user_id: int) -> list[tuple[Campaign, Participation]]:
        """The learner's participations not shared yet, newest first."""
        ...

    async def link_campaign_assessment(
        self, participation: Participation, assessment_id: int, competence: str
    ) -> None: ...
    async def participation_of_assessment(self, assessment_id: int) -> Participation | None: ...
    async def participation_scores(self, participation_id: int) -> dict[str, CompetenceScore]:
        """Competence -> the latest finished campaign test on it."""
        ...

    async def share_participation(self, participation_id: int, now: datetime) -> bool:
        """Mark shared; False when it was shared already."""
        ...

    async def campaign_results(self, campaign_id: int) -> list[ParticipantResult]:
        """Every participant, by participant number."""
        ...

    async def set_participation_identifier(self, participation_id: int, identifier: str) -> bool:
        """Store what the learner typed; False once shared (the educator has it already)."""
        ...

    async def ask_identifier(self, participation_id: int, now: datetime) -> None:
        """The learner's next typed text is their identifier for this participation."""
        ...

    async def identifier_asked(self, user_id: int) -> tuple[Campaign, Participation] | None:
        """The participation not shared yet whose identifier was asked last."""
        ...

    async def claim_campaign_reminder(self, campaign_id: int, day: date) -> bool:
        """Mark the campaign reminded on ``day``; False when it was already (one a day)."""
        ...

    async def campaign_class(self, campaign_id: int) -> list[ClassMember]:
        """Every participant, by number, with what they started and finished and, once
        shared, their skills: a few queries for the whole class, none per learner."""
        ...
