"""What learners tell the authors about the questions: their reports ("⚠️ Report a problem",
one per learner and challenge, erased with the learner) and the typed answers marked wrong,
counted per challenge without who typed them. Mixed into SqlStore as FeedbackQueries; read by
`pixbot content reports` and `pixbot content rejected`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    delete,
    false,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.assessment.ports import (
    REJECTED_ANSWER_LIMIT,
    REPORT_TEXT_LIMIT,
    Cancelled,
    RejectedAnswer,
    Report,
    ReportReason,
)
from storage.base import Base, Id
from storage.mapping import aware
from storage.upsert import count_up, insert_new, upsert


class ReportRow(Base):
    """A learner's report on a challenge. ``reason`` is empty while the learner is still
    typing the text of a new report ("something else"): such a row is no report yet."""

    __tablename__ = "challenge_reports"
    __table_args__ = (UniqueConstraint("user_id", "challenge_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    challenge_id: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(String(REPORT_TEXT_LIMIT))
    # The learner's next typed text is this report's (at most one row of a learner).
    awaiting_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RejectedAnswerRow(Base):
    """A typed answer marked wrong and how many times: no person's id, on purpose (the
    learner's erasure leaves it, it is about the question)."""

    __tablename__ = "rejected_answers"
    __table_args__ = (UniqueConstraint("challenge_id", "language", "field", "answer"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    field: Mapped[int] = mapped_column(Integer)  # 0: a text challenge; n: its n-th field
    answer: Mapped[str] = mapped_column(String(REJECTED_ANSWER_LIMIT))
    times: Mapped[int] = mapped_column(Integer)
    last_seen: Mapped[date] = mapped_column(Date)  # a day, not a moment: nothing to link


_REPORT_KEY = ("user_id", "challenge_id")


class FeedbackQueries:
    """Mixed into SqlStore: the FeedbackStore protocol of bot.core.assessment.ports."""

    session: AsyncSession

    async def save_report(
        self,
        user_id: int,
        challenge_id: str,
        language: str,
        reason: ReportReason,
        text: str | None,
        now: datetime,
    ) -> None:
        values = {
            "language": language,
            "reason": str(reason),
            "text": text[:REPORT_TEXT_LIMIT] if text else None,
            "awaiting_text": False,
            "updated_at": now,
        }
        await upsert(
            self.session,
            ReportRow,
            {"user_id": user_id, "challenge_id": challenge_id, "created_at": now, **values},
            key=_REPORT_KEY,
            update=tuple(values),
        )

    async def await_report_text(
        self, user_id: int, challenge_id: str, language: str, now: datetime
    ) -> None:
        await self.cancel_report_text(user_id)
        values = {
            "user_id": user_id,
            "challenge_id": challenge_id,
            "language": language,
            "reason": None,
            "awaiting_text": True,
            "created_at": now,
            "updated_at": now,
        }
        if await insert_new(self.session, ReportRow, values) is None:  # reported before
            await self.session.execute(
                update(ReportRow)
                .where(ReportRow.user_id == user_id, ReportRow.challenge_id == challenge_id)
                .values(awaiting_text=True)
            )

    async def save_report_text(self, user_id: int, text: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(ReportRow)
            .where(ReportRow.user_id == user_id, ReportRow.awaiting_text.is_(True))
            .values(
                reason=str(ReportReason.OTHER),
                text=text[:REPORT_TEXT_LIMIT],
                awaiting_text=False,
                updated_at=now,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def cancel_report_text(self, user_id: int) -> Cancelled:
        reasons = list(
            await self.session.scalars(
                select(ReportRow.reason).where(
                    ReportRow.user_id == user_id, ReportRow.awaiting_text.is_(True)
                )
            )
        )
        if not reasons:
            return Cancelled.NOTHING
        await self.session.execute(
            delete(ReportRow).where(ReportRow.user_id == user_id, ReportRow.reason.is_(None))
        )
        await self.session.execute(
            update(ReportRow)
            .where(ReportRow.user_id == user_id, ReportRow.awaiting_text.is_(True))
            .values(awaiting_text=False)
        )
        return Cancelled.KEPT if any(reasons) else Cancelled.DROPPED

    async def count_rejected(
        self, challenge_id: str, language: str, field: int, answer: str, day: date
    ) -> None:
        values = {
            "challenge_id": challenge_id,
            "language": language,
            "field": field,
            "answer": answer[:REJECTED_ANSWER_LIMIT],
            "last_seen": day,
        }
        await count_up(
            self.session,
            RejectedAnswerRow,
            values,
            key=("challenge_id", "language", "field", "answer"),
            column="times",
            update=("last_seen",),
        )


# --- what the authors' commands read -------------------------------------------------------


async def load_reports(session: AsyncSession) -> list[Report]:
    """Every report made (not those whose text is still being typed), oldest first."""
    rows = await session.scalars(
        select(ReportRow)
        .where(ReportRow.reason.is_not(None))
        .order_by(ReportRow.challenge_id, ReportRow.updated_at, ReportRow.id)
    )
    return [
        Report(
            row.challenge_id,
            row.language,
            ReportReason(row.reason),
            row.text,
            aware(row.created_at),
            aware(row.updated_at),
        )
        for row in rows
        if row.reason in set(ReportReason)
    ]


async def load_rejected(session: AsyncSession, min_count: int = 1) -> list[RejectedAnswer]:
    """The rejected answers typed at least ``min_count`` times, most frequent first."""
    rows = await session.scalars(
        select(RejectedAnswerRow)
        .where(RejectedAnswerRow.times >= min_count)
        .order_by(
            RejectedAnswerRow.challenge_id,
            RejectedAnswerRow.times.desc(),
            RejectedAnswerRow.language,
            RejectedAnswerRow.field,
            RejectedAnswerRow.answer,
        )
    )
    return [
        RejectedAnswer(
            row.challenge_id, row.language, row.field, row.answer, row.times, row.last_seen
        )
        for row in rows
    ]
