"""Tables and queries of the group features: groups and their settings, their administrators
seen (the tips library offers them their groups), tips posted, quiz polls and their answers,
leaderboard preferences. Mixed into SqlStore as GroupQueries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    and_,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from bot.core.groups.ports import GroupSettings, LeaderboardRow, QuizPoll, merge_migrated
from storage import delivery
from storage.base import Base
from storage.mapping import aware


class GroupRow(Base):
    __tablename__ = "groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    tip_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    tip_hour: Mapped[int] = mapped_column(Integer, default=8)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every topic
    audience: Mapped[str] = mapped_column(String(16), default="everyone")
    level: Mapped[str] = mapped_column(String(16), default="basic")
    quiz_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    quiz_hour: Mapped[int] = mapped_column(Integer, default=12)
    next_tip_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    next_quiz_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    school_days: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[date | None] = mapped_column(Date)
    quiz_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    quiz_open_hours: Mapped[int] = mapped_column(Integer, default=0)
    weekly_board: Mapped[bool] = mapped_column(Boolean, default=False)
    next_board_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupAdminRow(Base):
    """Someone seen administering a group (they added the bot, or used an admin feature).
    Telegram is asked again before anything is posted: this only narrows the list."""

    __tablename__ = "group_admins"

    chat_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("groups.chat_id", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, index=True
    )
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupTipRow(Base):
    """A tip posted in a group, so the next one is new until the library is exhausted."""

    __tablename__ = "group_tips"

    chat_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("groups.chat_id", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    )
    tip_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuizPollRow(Base):
    __tablename__ = "quiz_polls"

    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("groups.chat_id", ondelete="CASCADE", onupdate="CASCADE"),
        index=True,
    )
    challenge_id: Mapped[str] = mapped_column(String(64))
    correct_option: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered: Mapped[int | None] = mapped_column(Integer)  # the tally Telegram gave at the close
    answered_right: Mapped[int | None] = mapped_column(Integer)


class QuizAnswerRow(Base):
    """One answer per member and poll (a poll answer can be retracted, not changed)."""

    __tablename__ = "quiz_answers"

    poll_id: Mapped[str] = mapped_column(
        ForeignKey("quiz_polls.poll_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(64), default="")
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LeaderboardHiddenRow(Base):
    """A member who asked not to be named on leaderboards."""

    __tablename__ = "leaderboard_hidden"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hidden_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_FIELDS = (
    "title",
    "active",
    "language",
    "timezone",
    "tip_enabled",
    "tip_hour",
    "topics",
    "audience",
    "level",
    "quiz_enabled",
    "quiz_hour",
    "next_tip_at",
    "next_quiz_at",
    "school_days",
    "paused_until",
    "quiz_anonymous",
    "quiz_open_hours",
    "weekly_board",
    "next_board_at",
)
_MOMENTS = ("next_tip_at", "next_quiz_at", "next_board_at")


def group_settings(row: GroupRow) -> GroupSettings:
    values: dict[str, Any] = {name: getattr(row, name) for name in _FIELDS}
    values["topics"] = list(values["topics"] or [])
    for moment in _MOMENTS:
        if values[moment] is not None:
            values[moment] = aware(values[moment])
    return GroupSettings(chat_id=row.chat_id, **values)


def _quiz_poll(row: QuizPollRow) -> QuizPoll:
    return QuizPoll(
        row.poll_id,
        row.chat_id,
        row.challenge_id,
        row.correct_option,
        aware(row.sent_at),
        row.message_id,
        aware(row.close_at) if row.close_at is not None else None,
        row.answered,
        row.answered_right,
    )


async def _move_keyed(
    session: AsyncSession,
    model: type[Any],
    key: str,
    moment: str,
    old_chat_id: int,
    new_chat_id: int,
) -> None:
    """Move the rows of a table keyed by (chat_id, ``key``) from one group to another; where
    both groups have a row for the same key, the later ``moment`` stays."""
    other = aliased(model)
    same = and_(other.chat_id == old_chat_id, getattr(other, key) == getattr(model, key))
    later = select(getattr(other, moment)).where(same).scalar_subquery()
    await session.execute(
        update(model)
        .where(model.chat_id == new_chat_id, getattr(model, moment) < later)
        .values({moment: later})
        .execution_options(synchronize_session=False)
    )
    taken = select(getattr(other, key)).where(other.chat_id == new_chat_id)
    await session.execute(
        update(model)
        .where(model.chat_id == old_chat_id, getattr(model, key).not_in(taken))
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(model)
        .where(model.chat_id == old_chat_id)
        .execution_options(synchronize_session=False)
    )


class GroupQueries:
    """Mixed into SqlStore: the GroupStore protocol of bot.core.groups.ports."""

    session: AsyncSession

    async def get_group(self, chat_id: int) -> GroupSettings | None:
        row = await self.session.get(GroupRow, chat_id)
        return group_settings(row) if row else None

    async def save_group(self, group: GroupSettings, now: datetime) -> None:
        values = {name: getattr(group, name) for name in _FIELDS}
        result = await self.session.execute(
            update(GroupRow)
            .where(GroupRow.chat_id == group.chat_id)
            .values(updated_at=now, **values)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return
        try:
            async with self.session.begin_nested():
                self.session.add(
                    GroupRow(chat_id=group.chat_id, added_at=now, updated_at=now, **values)
                )
        except IntegrityError:  # added by another process at the same moment
            pass

    async def migrate_group(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its settings, tips posted, quiz polls (so their
        answers and the leaderboard), administrators seen and pending sends move to the new
        id. When the supergroup already has a row (it was used before the migration was
        handled), the two merge (:func:`bot.core.groups.ports.merge_migrated`) and nothing of
        the old group is lost. Telegram announces a migration in both chats, and a send can
        meet it too: a second call finds nothing left to move."""
        if old_chat_id == new_chat_id:
            return
        await delivery.rechat(self.session, old_chat_id, new_chat_id)
        old, new = await self._locked_groups(old_chat_id, new_chat_id)
        if old is None:  # migrated already, or a group we do not track
            return
        if new is None:
            try:
                async with self.session.begin_nested():
                    # The tables that refer to a group follow by ON UPDATE CASCADE.
                    await self.session.execute(
                        update(GroupRow)
                        .where(GroupRow.chat_id == old_chat_id)
                        .values(chat_id=new_chat_id)
                        .execution_options(synchronize_session=False)
                    )
                self.session.expunge(old)  # its key changed underneath
                return
            except IntegrityError:  # another process made the supergroup's row meanwhile
                old, new = await self._locked_groups(old_chat_id, new_chat_id)
                if old is None or new is None:  # pragma: no cover - the other one migrated it
                    return
        merged = merge_migrated(group_settings(old), group_settings(new))
        values = {name: getattr(merged, name) for name in _FIELDS}
        await self.session.execute(
            update(GroupRow)
            .where(GroupRow.chat_id == new_chat_id)
            .values(added_at=min(aware(old.added_at), aware(new.added_at)), **values)
            .execution_options(synchronize_session=False)
        )
        await _move_keyed(
            self.session, GroupTipRow, "tip_id", "posted_at", old_chat_id, new_chat_id
        )
        await self.session.execute(
            update(QuizPollRow)
            .where(QuizPollRow.chat_id == old_chat_id)
            .values(chat_id=new_chat_id)
            .execution_options(synchronize_session=False)
        )
        await _move_keyed(
            self.session, GroupAdminRow, "user_id", "seen_at", old_chat_id, new_chat_id
        )
        await self.session.execute(
            delete(GroupRow)
            .where(GroupRow.chat_id == old_chat_id)
            .execution_options(synchronize_session=False)
        )
        for row in (old, new):  # changed underneath
            self.session.expunge(row)

    async def _locked_groups(
        self, old_chat_id: int, new_chat_id: int
    ) -> tuple[GroupRow | None, GroupRow | None]:
        """Both rows, locked in the order of their ids until the commit (PostgreSQL; SQLite's
        transactions take the write lock at their start)."""
        rows = await self.session.scalars(
            select(GroupRow)
            .where(GroupRow.chat_id.in_((old_chat_id, new_chat_id)))
            .order_by(GroupRow.chat_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found = {row.chat_id: row for row in rows}
        return found.get(old_chat_id), found.get(new_chat_id)

    async def set_group_active(self, chat_id: int, active: bool) -> None:
        await self.session.execute(
            update(GroupRow).where(GroupRow.chat_id == chat_id).values(active=active)
        )

    async def due_group_sends(self, now: datetime, limit: int) -> list[GroupSettings]:
        rows = await self.session.scalars(
            select(GroupRow)
            .where(
                GroupRow.active.is_(True),
                ((GroupRow.tip_enabled.is_(True)) & (GroupRow.next_tip_at <= now))
                | ((GroupRow.quiz_enabled.is_(True)) & (GroupRow.next_quiz_at <= now))
                | ((GroupRow.weekly_board.is_(True)) & (GroupRow.next_board_at <= now)),
            )
            .limit(limit)
        )
        return [group_settings(row) for row in rows]

    async def claim_group_send(
        self, chat_id: int, kind: str, due: datetime, following: datetime | None
    ) -> bool:
        """Move the group's next tip, quiz or weekly board from ``due`` to ``following``: one
        process wins."""
        column = {
            "tip": GroupRow.next_tip_at,
            "quiz": GroupRow.next_quiz_at,
            "board": GroupRow.next_board_at,
        }[kind]
        result = await self.session.execute(
            update(GroupRow)
            .where(GroupRow.chat_id == chat_id, column == due)
            .values({column.key: following})
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def posted_tips(self, chat_id: int) -> dict[str, datetime]:
        rows = await self.session.execute(
            select(GroupTipRow.tip_id, GroupTipRow.posted_at).where(GroupTipRow.chat_id == chat_id)
        )
        return {tip_id: aware(at) for tip_id, at in rows}

    async def record_tip_posted(self, chat_id: int, tip_id: str, now: datetime) -> None:
        result = await self.session.execute(
            update(GroupTipRow)
            .where(GroupTipRow.chat_id == chat_id, GroupTipRow.tip_id == tip_id)
            .values(posted_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            self.session.add(GroupTipRow(chat_id=chat_id, tip_id=tip_id, posted_at=now))

    async def used_quiz_challenges(self, chat_id: int) -> dict[str, datetime]:
        rows = await self.session.execute(
            select(QuizPollRow.challenge_id, func.max(QuizPollRow.sent_at))
            .where(QuizPollRow.chat_id == chat_id)
            .group_by(QuizPollRow.challenge_id)
        )
        return {challenge: aware(sent) for challenge, sent in rows}

    async def record_poll(self, poll: QuizPoll) -> None:
        self.session.add(
            QuizPollRow(
                poll_id=poll.poll_id,
                chat_id=poll.chat_id,
                challenge_id=poll.challenge_id,
                correct_option=poll.correct_option,
                sent_at=poll.sent_at,
                message_id=poll.message_id,
                close_at=poll.close_at,
            )
        )
        await self.session.flush()

    async def get_poll(self, poll_id: str) -> QuizPoll | None:
        row = await self.session.get(QuizPollRow, poll_id)
        return None if row is None else _quiz_poll(row)

    async def last_closed_quiz(self, chat_id: int) -> QuizPoll | None:
        row = await self.session.scalar(
            select(QuizPollRow)
            .where(QuizPollRow.chat_id == chat_id, QuizPollRow.answered.is_not(None))
            .order_by(QuizPollRow.sent_at.desc())
            .limit(1)
        )
        return None if row is None else _quiz_poll(row)

    async def record_quiz_tally(self, poll_id: str, answered: int, answered_right: int) -> None:
        await self.session.execute(
            update(QuizPollRow)
            .where(QuizPollRow.poll_id == poll_id)
            .values(answered=answered, answered_right=answered_right)
        )

    async def record_poll_answer(
        self, poll_id: str, user_id: int, first_name: str, correct: bool, now: datetime
    ) -> bool:
        """False when this member already answered this poll (Telegram allows one vote)."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    QuizAnswerRow(
                        poll_id=poll_id,
                        user_id=user_id,
                        first_name=first_name[:64],
                        correct=correct,
                        answered_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def leaderboard(
        self, chat_id: int, since: datetime, until: datetime, limit: int
    ) -> list[LeaderboardRow]:
        score = func.sum(func.cast(QuizAnswerRow.correct, Integer)).label("score")
        rows = await self.session.execute(
            select(
                QuizAnswerRow.user_id,
                func.max(QuizAnswerRow.first_name),
                score,
                func.count().label("answered"),
                LeaderboardHiddenRow.user_id.is_not(None),
            )
            .join(QuizPollRow, QuizPollRow.poll_id == QuizAnswerRow.poll_id)
            .outerjoin(LeaderboardHiddenRow, LeaderboardHiddenRow.user_id == QuizAnswerRow.user_id)
            .where(
                QuizPollRow.chat_id == chat_id,
                QuizAnswerRow.answered_at >= since,
                QuizAnswerRow.answered_at < until,
            )
            .group_by(QuizAnswerRow.user_id, LeaderboardHiddenRow.user_id)
            .order_by(score.desc(), func.count().desc(), QuizAnswerRow.user_id)
            .limit(limit)
        )
        return [
            LeaderboardRow(user_id, name or "", int(points or 0), int(answered), bool(hidden))
            for user_id, name, points, answered, hidden in rows
        ]

    async def enqueue_delivery(
        self, chat_id: int, kind: str, payload: dict[str, Any], due_at: datetime, dedupe_key: str
    ) -> bool:
        return await delivery.enqueue(self.session, chat_id, kind, payload, due_at, dedupe_key)

    async def set_leaderboard_hidden(self, user_id: int, hidden: bool, now: datetime) -> None:
        await self.session.execute(
            delete(LeaderboardHiddenRow).where(LeaderboardHiddenRow.user_id == user_id)
        )
        if hidden:
            self.session.add(LeaderboardHiddenRow(user_id=user_id, hidden_at=now))
