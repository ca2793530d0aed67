"""Tables and queries of the tips library: the group administrators seen, so "send to my
group" can offer the groups a learner administers. Mixed into SqlStore as LibraryQueries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.group_ports import GroupSettings
from storage.groups import GroupRow, _settings
from storage.models import Base


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


class LibraryQueries:
    """Mixed into SqlStore: the LibraryStore protocol of bot.core.library."""

    session: AsyncSession

    async def record_group_admin(self, chat_id: int, user_id: int, now: datetime) -> None:
        result = await self.session.execute(
            update(GroupAdminRow)
            .where(GroupAdminRow.chat_id == chat_id, GroupAdminRow.user_id == user_id)
            .values(seen_at=now)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return
        if await self.session.get(GroupRow, chat_id) is None:  # a group we do not track
            return
        try:
            async with self.session.begin_nested():
                self.session.add(GroupAdminRow(chat_id=chat_id, user_id=user_id, seen_at=now))
        except IntegrityError:  # recorded by another process at the same moment
            pass

    async def forget_group_admin(self, chat_id: int, user_id: int) -> None:
        await self.session.execute(
            delete(GroupAdminRow).where(
                GroupAdminRow.chat_id == chat_id, GroupAdminRow.user_id == user_id
            )
        )

    async def admin_groups(self, user_id: int, limit: int) -> list[GroupSettings]:
        """The active groups where ``user_id`` was seen administering, by title."""
        rows = await self.session.scalars(
            select(GroupRow)
            .join(GroupAdminRow, GroupAdminRow.chat_id == GroupRow.chat_id)
            .where(GroupAdminRow.user_id == user_id, GroupRow.active.is_(True))
            .order_by(GroupRow.title, GroupRow.chat_id)
            .limit(limit)
        )
        return [_settings(row) for row in rows]
