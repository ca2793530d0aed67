"""Queries that bring learners back: review cards, saved tutorials, tips seen, reminders, and
the learner's own data (export and erasure). Mixed into SqlStore."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Column, Table, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core.ports import User
from bot.core.review import ReviewCard
from bot.core.scoring import Status
from storage.campaigns import CampaignRow, ParticipationAssessmentRow, ParticipationRow
from storage.mapping import Columns, aware, user_record
from storage.models import (
    AssessmentRow,
    KnowledgeRow,
    ReviewCardRow,
    SavedTutorialRow,
    TipViewRow,
    UserRow,
)
from storage.tables import metadata
from storage.upsert import insert_new, run, table_of, upsert

_CARD: Final = select(table_of(ReviewCardRow)).where(
    ReviewCardRow.user_id == bindparam("user_id"), ReviewCardRow.skill == bindparam("skill")
)


def _card(row: Columns) -> ReviewCard:
    return ReviewCard(row.user_id, row.skill, dict(row.card), aware(row.due), row.reviews)


class RetentionQueries:
    session: AsyncSession

    # --- spaced review -------------------------------------------------------------------

    async def due_reviews(self, user_id: int, now: datetime, limit: int) -> list[ReviewCard]:
        rows = await self.session.scalars(
            select(ReviewCardRow)
            .where(ReviewCardRow.user_id == user_id, ReviewCardRow.due <= now)
            .order_by(ReviewCardRow.due, ReviewCardRow.id)
            .limit(limit)
        )
        return [_card(row) for row in rows]

    async def count_due_reviews(self, user_id: int, now: datetime) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(ReviewCardRow)
            .where(ReviewCardRow.user_id == user_id, ReviewCardRow.due <= now)
        )
        return int(count or 0)

    async def next_review_due(self, user_id: int) -> datetime | None:
        due = await self.session.scalar(
            select(func.min(ReviewCardRow.due)).where(ReviewCardRow.user_id == user_id)
        )
        return aware(due) if due else None

    async def review_card(self, user_id: int, skill: str) -> ReviewCard | None:
        row = (await run(self.session, _CARD, {"user_id": user_id, "skill": skill})).first()
        return _card(row) if row else None

    async def add_review_card(self, card: ReviewCard, now: datetime) -> bool:
        values = {"card": card.card, "due": card.due, "reviews": card.reviews}
        row = {"user_id": card.user_id, "skill": card.skill, "created_at": now, **values}
        return await insert_new(self.session, ReviewCardRow, row) is not None

    async def save_review_card(self, card: ReviewCard, now: datetime) -> None:
        values = {"card": card.card, "due": card.due, "reviews": card.reviews}
        await upsert(
            self.session,
            ReviewCardRow,
            {"user_id": card.user_id, "skill": card.skill, "created_at": now, **values},
            key=("user_id", "skill"),
            update=tuple(values),
        )

    # --- tutorials -----------------------------------------------------------------------

    async def save_tutorial(self, user_id: int, tutorial_id: str, now: datetime) -> None:
        values = {"user_id": user_id, "tutorial_id": tutorial_id, "saved_at": now}
        await insert_new(self.session, SavedTutorialRow, values)

    async def saved_tutorials(self, user_id: int) -> list[tuple[str, bool | None]]:
        rows = await self.session.execute(
            select(SavedTutorialRow.tutorial_id, SavedTutorialRow.useful)
            .where(SavedTutorialRow.user_id == user_id)
            .order_by(SavedTutorialRow.saved_at.desc(), SavedTutorialRow.tutorial_id)
        )
        return [(tutorial_id, useful) for tutorial_id, useful in rows]

    async def rate_tutorial(
        self, user_id: int, tutorial_id: str, useful: bool, now: datetime
    ) -> None:
        await self.save_tutorial(user_id, tutorial_id, now)
        await self.session.execute(
            update(SavedTutorialRow)
            .where(
                SavedTutorialRow.user_id == user_id, SavedTutorialRow.tutorial_id == tutorial_id
            )
            .values(useful=useful)
        )

    async def failed_skills(self, user_id: int) -> list[str]:
        """Skills failed directly in the latest result of each competence."""
        latest = (
            select(func.max(AssessmentRow.id))
            .where(AssessmentRow.user_id == user_id, AssessmentRow.status == "completed")
            .group_by(AssessmentRow.competence)
        )
        rows = await self.session.scalars(
            select(KnowledgeRow.skill)
            .where(
                KnowledgeRow.assessment_id.in_(latest),
                KnowledgeRow.status == Status.INVALIDATED,
                KnowledgeRow.source == "direct",
            )
            .order_by(KnowledgeRow.id)
        )
        return list(rows)

    # --- tips ----------------------------------------------------------------------------

    async def tip_views(self, user_id: int) -> dict[str, datetime]:
        rows = await self.session.execute(
            select(TipViewRow.tip_id, TipViewRow.seen_at).where(TipViewRow.user_id == user_id)
        )
        return {tip_id: aware(seen) for tip_id, seen in rows}

    async def saw_tip(self, user_id: int, tip_id: str, now: datetime) -> None:
        result = await self.session.execute(
            update(TipViewRow)
            .where(TipViewRow.user_id == user_id, TipViewRow.tip_id == tip_id)
            .values(seen_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            self.session.add(TipViewRow(user_id=user_id, tip_id=tip_id, seen_at=now))

    # --- reminders -----------------------------------------------------------------------

    async def due_reminders(self, now: datetime, limit: int) -> list[User]:
        rows = await self.session.scalars(
            select(UserRow)
            .where(
                UserRow.reminders.is_(True),
                UserRow.active.is_(True),
                UserRow.next_reminder_at <= now,
            )
            .order_by(UserRow.next_reminder_at)
            .limit(limit)
        )
        return [user_record(row) for row in rows]

    async def claim_reminder(self, user_id: int, due: datetime, following: datetime) -> bool:
        result = await self.session.execute(
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.next_reminder_at == due)
            .values(next_reminder_at=following)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_active(self, user_id: int, active: bool) -> None:
        await self.session.execute(
            update(UserRow).where(UserRow.id == user_id).values(active=active)
        )

    # --- the learner's own data ----------------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the person: their user row and every row of every table
        that refers to them (new tables are included without changing this). The campaigns
        they own say how many took part and shared, never who; their participations name the
        campaign."""
        user = await self.session.get(UserRow, user_id)
        data: dict[str, Any] = {"user": _plain(UserRow.__table__, user) if user else None}
        for table, columns in _person_tables():
            rows = await self.session.execute(select(table).where(_about(columns, user_id)))
            data[table.name] = [_plain(table, row) for row in rows]
        await self._describe_campaigns(data.get(CampaignRow.__tablename__, []))
        await self._describe_participations(data.get(ParticipationRow.__tablename__, []))
        return data

    async def _describe_campaigns(self, campaigns: list[dict[str, Any]]) -> None:
        if not campaigns:
            return
        shared = func.count(ParticipationRow.shared_at)
        counts = {
            campaign_id: (int(joined), int(sharing))
            for campaign_id, joined, sharing in await self.session.execute(
                select(ParticipationRow.campaign_id, func.count(), shared)
                .where(ParticipationRow.campaign_id.in_([c["id"] for c in campaigns]))
                .group_by(ParticipationRow.campaign_id)
            )
        }
        for campaign in campaigns:
            campaign["participants"], campaign["shared_results"] = counts.get(
                campaign["id"], (0, 0)
            )

    async def _describe_participations(self, participations: list[dict[str, Any]]) -> None:
        if not participations:
            return
        names = {
            campaign_id: (code, name)
            for campaign_id, code, name in await self.session.execute(
                select(CampaignRow.id, CampaignRow.code, CampaignRow.name).where(
                    CampaignRow.id.in_([p["campaign_id"] for p in participations])
                )
            )
        }
        for participation in participations:
            code, name = names.get(participation["campaign_id"], ("", ""))
            participation["campaign_code"], participation["campaign_name"] = code, name

    async def delete_user(self, user_id: int) -> None:
        """Erase the person and every row that refers to them, dependent tables first, so it
        does not rely on the database enforcing ON DELETE CASCADE.

        An educator's campaigns go with them, and so do the participations in those campaigns
        (a learner's consent to share results with that educator, whom nobody can reach any
        more): the participants keep their own tests, levels and results, which are theirs."""
        owned = select(CampaignRow.id).where(CampaignRow.owner_id == user_id)
        taking_part = select(ParticipationRow.id).where(ParticipationRow.campaign_id.in_(owned))
        await self.session.execute(
            delete(ParticipationAssessmentRow).where(
                ParticipationAssessmentRow.participation_id.in_(taking_part)
            )
        )
        await self.session.execute(
            delete(ParticipationRow).where(ParticipationRow.campaign_id.in_(owned))
        )
        for table, columns in reversed(_person_tables()):
            await self.session.execute(delete(table).where(_about(columns, user_id)))
        await self.session.execute(delete(UserRow).where(UserRow.id == user_id))


def _person_tables() -> list[tuple[Table, list[Column[Any]]]]:
    """Every table that refers to a person, with the columns that do (a foreign key to
    ``users.id``, or a ``user_id`` column: the group features keep members who never opened
    a private chat), in dependency order (referenced tables first)."""
    found = []
    for table in metadata.sorted_tables:  # every table module's, storage.tables sees to it
        columns = [
            column
            for column in table.columns
            if column.key == "user_id"
            or any(key.column is UserRow.__table__.c.id for key in column.foreign_keys)
        ]
        if columns and table is not UserRow.__table__:
            found.append((table, columns))
    return found


def _about(columns: list[Column[Any]], user_id: int) -> ColumnElement[bool]:
    return or_(*(column == user_id for column in columns))


def _plain(table: Any, row: Any) -> dict[str, Any]:
    values = {}
    for column in table.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return values
