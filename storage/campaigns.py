"""Tables and queries of the campaigns feature (on storage.base.Base).

Erasure (storage.retention) deletes the rows of every table with a ``user_id`` column, dependent
tables first, then the user: ``participation_assessments`` depends on ``participations`` and
``assessments``, so it goes first. Campaigns refer to their educator by ``owner_id`` with ON
DELETE CASCADE: erasing an educator deletes their campaigns, and with them the participations
and links of the learners (the learners keep their own assessments and levels).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from bot.core.campaigns.ports import (
    Campaign,
    CampaignDraft,
    ClassMember,
    CompetenceScore,
    ParticipantResult,
    Participation,
)
from storage.base import Base, Id
from storage.mapping import aware
from storage.models import AssessmentRow, KnowledgeRow, UserRow

NAME_LENGTH = 100
IDENTIFIER_LENGTH = 64  # a learner's identifier, and the label that asks for it


class EducatorRow(Base):
    __tablename__ = "educators"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignDraftRow(Base):
    """The campaign an educator is creating (one at a time): kept in the database, so a
    restart between the name and the "Create" button loses nothing."""

    __tablename__ = "campaign_drafts"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    competences: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    identifier_label: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))


class CampaignRow(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    owner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    competences: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Pix Orga's external id: what each learner is asked for when joining (None: nothing).
    identifier_label: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    # The teacher's day (in their zone) of the last reminder: one a day, claimed atomically.
    reminded_on: Mapped[date | None] = mapped_column(Date)


class ParticipationRow(Base):
    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id", name="uq_participations_campaign_user"),
        UniqueConstraint("campaign_id", "number", name="uq_participations_campaign_number"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Id, ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    identifier: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    # When the learner was last asked to type it: their next typed text is for this one.
    identifier_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ParticipationAssessmentRow(Base):
    """A test taken for a participation (a competence can be taken again after abandoning)."""

    __tablename__ = "participation_assessments"

    participation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("participations.id", ondelete="CASCADE"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(
        Id, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    competence: Mapped[str] = mapped_column(String(8))


def _campaign(row: CampaignRow, owner_name: str) -> Campaign:
    return Campaign(
        id=row.id,
        code=row.code,
        name=row.name,
        owner_id=row.owner_id,
        owner_name=owner_name,
        competences=tuple(row.competences or ()),
        created_at=aware(row.created_at),
        closed_at=aware(row.closed_at) if row.closed_at else None,
        identifier_label=row.identifier_label,
    )


def _participation(row: ParticipationRow, first_name: str = "") -> Participation:
    return Participation(
        id=row.id,
        campaign_id=row.campaign_id,
        user_id=row.user_id,
        number=row.number,
        consented_at=aware(row.consented_at),
        shared_at=aware(row.shared_at) if row.shared_at else None,
        first_name=first_name,
        identifier=row.identifier,
    )


class CampaignQueries:
    """Mixed into SqlStore: the CampaignStore protocol of bot.core.campaigns.ports."""

    session: AsyncSession

    # --- educators and drafts --------------------------------------------------------------

    async def is_educator(self, user_id: int) -> bool:
        return await self.session.get(EducatorRow, user_id) is not None

    async def add_educator(self, user_id: int, now: datetime) -> None:
        if await self.is_educator(user_id):
            return
        try:
            async with self.session.begin_nested():
                self.session.add(EducatorRow(user_id=user_id, registered_at=now))
        except IntegrityError:  # a double tap in two processes: registered once
            pass

    async def campaign_draft(self, user_id: int) -> CampaignDraft | None:
        row = await self.session.get(CampaignDraftRow, user_id)
        if row is None:
            return None
        return CampaignDraft(row.name, tuple(row.competences or ()), row.identifier_label)

    async def save_campaign_draft(self, user_id: int, draft: CampaignDraft, now: datetime) -> None:
        values = {
            "name": draft.name,
            "competences": list(draft.competences),
            "identifier_label": draft.identifier_label,
            "updated_at": now,
        }
        result = await self.session.execute(
            update(CampaignDraftRow).where(CampaignDraftRow.user_id == user_id).values(**values)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return
        try:
            async with self.session.begin_nested():
                self.session.add(CampaignDraftRow(user_id=user_id, **values))
        except IntegrityError:  # created concurrently: write over it
            await self.session.execute(
                update(CampaignDraftRow)
                .where(CampaignDraftRow.user_id == user_id)
                .values(**values)
            )

    async def delete_campaign_draft(self, user_id: int) -> None:
        await self.session.execute(
            delete(CampaignDraftRow).where(CampaignDraftRow.user_id == user_id)
        )

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
        row = CampaignRow(
            code=code,
            name=name[:NAME_LENGTH],
            owner_id=owner_id,
            competences=list(competences),
            created_at=now,
            identifier_label=identifier_label[:IDENTIFIER_LENGTH] if identifier_label else None,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return None
        owner = await self.session.get(UserRow, owner_id)
        return _campaign(row, owner.first_name if owner else "")

    async def campaign_by_code(self, code: str) -> Campaign | None:
        return await self._campaign_where(CampaignRow.code == code)

    async def campaign_by_id(self, campaign_id: int) -> Campaign | None:
        return await self._campaign_where(CampaignRow.id == campaign_id)

    async def _campaign_where(self, condition: ColumnElement[bool]) -> Campaign | None:
        found = (
            await self.session.execute(
                select(CampaignRow, UserRow.first_name)
                .join(UserRow, UserRow.id == CampaignRow.owner_id)
                .where(condition)
            )
        ).first()
        return None if found is None else _campaign(found[0], found[1])

    async def owned_campaigns(self, owner_id: int) -> list[tuple[Campaign, int]]:
        counts = (
            select(ParticipationRow.campaign_id, func.count().label("participants"))
            .group_by(ParticipationRow.campaign_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(CampaignRow, UserRow.first_name, counts.c.participants)
            .join(UserRow, UserRow.id == CampaignRow.owner_id)
            .outerjoin(counts, counts.c.campaign_id == CampaignRow.id)
            .where(CampaignRow.owner_id == owner_id)
            .order_by(CampaignRow.created_at.desc(), CampaignRow.id.desc())
        )
        return [(_campaign(row, name), int(count or 0)) for row, name, count in rows]

    async def close_campaign(self, campaign_id: int, now: datetime) -> None:
        await self.session.execute(
            update(CampaignRow)
            .where(CampaignRow.id == campaign_id, CampaignRow.closed_at.is_(None))
            .values(closed_at=now)
        )

    # --- participations ----------------------------------------------------------------------

    async def participation(self, campaign_id: int, user_id: int) -> Participation | None:
        row = await self.session.scalar(
            select(ParticipationRow).where(
                ParticipationRow.campaign_id == campaign_id, ParticipationRow.user_id == user_id
            )
        )
        return None if row is None else _participation(row)

    async def add_participation(
        self, campaign_id: int, user_id: int, now: datetime
    ) -> Participation:
        for _ in range(8):  # two learners joining at once may draw the same number: retry
            existing = await self.participation(campaign_id, user_id)
            if existing is not None:
                return existing
            last = await self.session.scalar(
                select(func.max(ParticipationRow.number)).where(
                    ParticipationRow.campaign_id == campaign_id
                )
            )
            row = ParticipationRow(
                campaign_id=campaign_id,
                user_id=user_id,
                number=int(last or 0) + 1,
                consented_at=now,
            )
            try:
                async with self.session.begin_nested():
                    self.session.add(row)
            except IntegrityError:
                continue
            return _participation(row)
        raise RuntimeError("could not number the participation")  # pragma: no cover

    async def open_participations(self, user_id: int) -> list[tuple[Campaign, Participation]]:
        owner = UserRow.__table__.alias("owner")
        rows = await self.session.execute(
            select(CampaignRow, owner.c.first_name, ParticipationRow)
            .join(ParticipationRow, ParticipationRow.campaign_id == CampaignRow.id)
            .join(owner, owner.c.id == CampaignRow.owner_id)
            .where(ParticipationRow.user_id == user_id, ParticipationRow.shared_at.is_(None))
            .order_by(ParticipationRow.consented_at.desc(), ParticipationRow.id.desc())
        )
        return [(_campaign(campaign, name), _participation(row)) for campaign, name, row in rows]

    async def link_campaign_assessment(
        self, participation: Participation, assessment_id: int, competence: str
    ) -> None:
        self.session.add(
            ParticipationAssessmentRow(
                participation_id=participation.id,
                assessment_id=assessment_id,
                user_id=participation.user_id,
                competence=competence,
            )
        )
        await self.session.flush()

    async def participation_of_assessment(self, assessment_id: int) -> Participation | None:
        row = await self.session.scalar(
            select(ParticipationRow)
            .join(
                ParticipationAssessmentRow,
                ParticipationAssessmentRow.participation_id == ParticipationRow.id,
            )
            .where(ParticipationAssessmentRow.assessment_id == assessment_id)
        )
        return None if row is None else _participation(row)

    async def participation_scores(self, participation_id: int) -> dict[str, CompetenceScore]:
        scores = await self._scores(
            ParticipationAssessmentRow.participation_id == participation_id
        )
        return scores.get(participation_id, {})

    async def share_participation(self, participation_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(ParticipationRow)
            .where(ParticipationRow.id == participation_id, ParticipationRow.shared_at.is_(None))
            .values(shared_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def campaign_results(self, campaign_id: int) -> list[ParticipantResult]:
        rows = await self.session.execute(
            select(ParticipationRow, UserRow.first_name)
            .join(UserRow, UserRow.id == ParticipationRow.user_id)
            .where(ParticipationRow.campaign_id == campaign_id)
            .order_by(ParticipationRow.number)
        )
        participations = [_participation(row, name) for row, name in rows]
        in_campaign = select(ParticipationRow.id).where(
            ParticipationRow.campaign_id == campaign_id
        )
        scores = await self._scores(ParticipationAssessmentRow.participation_id.in_(in_campaign))
        return [ParticipantResult(p, scores.get(p.id, {})) for p in participations]

    async def set_participation_identifier(self, participation_id: int, identifier: str) -> bool:
        result = await self.session.execute(
            update(ParticipationRow)
            .where(ParticipationRow.id == participation_id, ParticipationRow.shared_at.is_(None))
            .values(identifier=identifier[:IDENTIFIER_LENGTH])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def ask_identifier(self, participation_id: int, now: datetime) -> None:
        await self.session.execute(
            update(ParticipationRow)
            .where(ParticipationRow.id == participation_id)
            .values(identifier_asked_at=now)
        )

    async def identifier_asked(self, user_id: int) -> tuple[Campaign, Participation] | None:
        owner = UserRow.__table__.alias("owner")
        found = (
            await self.session.execute(
                select(CampaignRow, owner.c.first_name, ParticipationRow)
                .join(ParticipationRow, ParticipationRow.campaign_id == CampaignRow.id)
                .join(owner, owner.c.id == CampaignRow.owner_id)
                .where(
                    ParticipationRow.user_id == user_id,
                    ParticipationRow.shared_at.is_(None),
                    ParticipationRow.identifier_asked_at.is_not(None),
                )
                .order_by(ParticipationRow.identifier_asked_at.desc(), ParticipationRow.id.desc())
                .limit(1)
            )
        ).first()
        if found is None:
            return None
        campaign, name, row = found
        return _campaign(campaign, name), _participation(row)

    async def claim_campaign_reminder(self, campaign_id: int, day: date) -> bool:
        result = await self.session.execute(
            update(CampaignRow)
            .where(
                CampaignRow.id == campaign_id,
                or_(CampaignRow.reminded_on.is_(None), CampaignRow.reminded_on != day),
            )
            .values(reminded_on=day)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def campaign_class(self, campaign_id: int) -> list[ClassMember]:
        """Three queries whatever the class's size: the participants, their linked tests, and
        the knowledge elements of the shared participants' finished tests."""
        people = (
            await self.session.execute(
                select(ParticipationRow, UserRow.first_name, UserRow.language)
                .join(UserRow, UserRow.id == ParticipationRow.user_id)
                .where(ParticipationRow.campaign_id == campaign_id)
                .order_by(ParticipationRow.number)
            )
        ).all()
        participations = [_participation(row, name) for row, name, _ in people]
        languages = {row.id: language for row, _, language in people}
        tests = await self.session.execute(
            select(
                ParticipationAssessmentRow.participation_id,
                ParticipationAssessmentRow.competence,
                AssessmentRow.id,
                AssessmentRow.status,
                AssessmentRow.level,
                AssessmentRow.pix,
            )
            .join(AssessmentRow, AssessmentRow.id == ParticipationAssessmentRow.assessment_id)
            .join(
                ParticipationRow,
                ParticipationRow.id == ParticipationAssessmentRow.participation_id,
            )
            .where(ParticipationRow.campaign_id == campaign_id)
            .order_by(AssessmentRow.id)
        )
        started: dict[int, set[str]] = {}
        done: dict[int, dict[str, CompetenceScore]] = {}
        latest_of: dict[tuple[int, str], int] = {}
        for participation_id, competence, assessment_id, status, level, pix in tests:
            started.setdefault(participation_id, set()).add(competence)
            if status == "completed":
                done.setdefault(participation_id, {})[competence] = CompetenceScore(
                    int(level or 0), int(pix or 0)
                )
                latest_of[(participation_id, competence)] = assessment_id
        # The latest finished test of each competence -> its participation.
        latest = {assessment: owner for (owner, _), assessment in latest_of.items()}
        skills: dict[int, dict[str, bool]] = {}
        knowledge = await self.session.execute(
            select(
                KnowledgeRow.assessment_id,
                KnowledgeRow.skill,
                KnowledgeRow.status,
                KnowledgeRow.source,
            )
            .join(
                ParticipationAssessmentRow,
                ParticipationAssessmentRow.assessment_id == KnowledgeRow.assessment_id,
            )
            .join(
                ParticipationRow,
                ParticipationRow.id == ParticipationAssessmentRow.participation_id,
            )
            .where(
                ParticipationRow.campaign_id == campaign_id,
                ParticipationRow.shared_at.is_not(None),
            )
        )
        asked: dict[int, set[str]] = {}
        for assessment_id, skill, status, source in knowledge:
            owner = latest.get(assessment_id)
            if owner is not None:  # an earlier try of that competence: replaced
                skills.setdefault(owner, {})[skill] = status == "validated"
                if source == "direct":
                    asked.setdefault(owner, set()).add(skill)
        return [
            ClassMember(
                p,
                frozenset(started.get(p.id, ())),
                done.get(p.id, {}),
                skills.get(p.id, {}) if p.shared_at is not None else {},
                languages[p.id],
                frozenset(asked.get(p.id, ())) if p.shared_at is not None else frozenset(),
            )
            for p in participations
        ]

    async def _scores(
        self, condition: ColumnElement[bool]
    ) -> dict[int, dict[str, CompetenceScore]]:
        """Participation -> competence -> the latest completed linked test."""
        rows = await self.session.execute(
            select(
                ParticipationAssessmentRow.participation_id,
                ParticipationAssessmentRow.competence,
                AssessmentRow.level,
                AssessmentRow.pix,
            )
            .join(AssessmentRow, AssessmentRow.id == ParticipationAssessmentRow.assessment_id)
            .where(condition, AssessmentRow.status == "completed")
            .order_by(AssessmentRow.id)
        )
        scores: dict[int, dict[str, CompetenceScore]] = {}
        for participation_id, competence, level, pix in rows:
            scores.setdefault(participation_id, {})[competence] = CompetenceScore(
                int(level or 0), int(pix or 0)
            )
        return scores
