"""SQLAlchemy 2 tables shared by the features: people, assessments and their answers, knowledge,
review cards, saved tutorials, tips seen, updates handled, item calibrations. A feature's own
tables live in its module (campaigns, delivery, groups, library); ``storage.tables`` lists them
all. Telegram ids need 52 bits: BIGINT everywhere an id comes from outside."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Id


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    first_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    reminders: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reminder_hour: Mapped[int] = mapped_column(Integer, default=18, server_default="18")
    # The next daily reminder, in UTC: the scheduled send lives here, claimed atomically.
    next_reminder_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # False once the person blocked the bot (a 403 or my_chat_member "kicked").
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    streak_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_last_day: Mapped[date | None] = mapped_column(Date)
    awaiting: Mapped[str | None] = mapped_column(String(16))  # typed input expected next


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    competence: Mapped[str] = mapped_column(String(8))
    engine: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pix: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[int | None] = mapped_column(Integer)
    # An improvement keeps the skills this earlier assessment validated (Pix's "retry").
    based_on_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("assessments.id", ondelete="SET NULL")
    )
    # The challenges met before it started, read once (NULL: started before migration 0012).
    seen_before: Mapped[list[str] | None] = mapped_column(JSON)


class AttemptRow(Base):
    """A challenge served: its buttons carry ``token``."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("assessment_id", "position"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token: Mapped[str] = mapped_column(String(16), unique=True)
    assessment_id: Mapped[int] = mapped_column(
        Id, ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    option_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    selection: Mapped[list[int]] = mapped_column(JSON, default=list)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    served_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerRow(Base):
    """One answer per attempt, enforced by the unique key: a double tap counts once."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        Id, ForeignKey("attempts.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KnowledgeRow(Base):
    """Pix's knowledge element: a skill validated or not, directly or by inference."""

    __tablename__ = "knowledge_elements"
    __table_args__ = (Index("ix_knowledge_user_competence", "user_id", "competence"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(
        Id, ForeignKey("assessments.id", ondelete="CASCADE")
    )
    competence: Mapped[str] = mapped_column(String(8))
    skill: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReviewCardRow(Base):
    """A failed skill in the learner's spaced-review queue (an FSRS card)."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("user_id", "skill"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(48))
    card: Mapped[dict[str, object]] = mapped_column(JSON)
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SavedTutorialRow(Base):
    __tablename__ = "saved_tutorials"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tutorial_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    useful: Mapped[bool | None] = mapped_column(Boolean)


class TipViewRow(Base):
    __tablename__ = "tip_views"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tip_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessedUpdateRow(Base):
    """Telegram update ids already handled: a redelivered update is not handled twice."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ItemCalibrationRow(Base):
    """Fitted IRT parameters of a challenge (`pixbot calibrate`); the engine prefers them to
    the difficulty its skill level implies."""

    __tablename__ = "item_calibrations"

    challenge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    difficulty: Mapped[float] = mapped_column(Float)
    discrimination: Mapped[float] = mapped_column(Float)
    responses: Mapped[int] = mapped_column(Integer)
    right_share: Mapped[float] = mapped_column(Float)
    flags: Mapped[str] = mapped_column(String(200), default="")
    calibrated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
