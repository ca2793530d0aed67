"""Queries of the tips library: the group administrators seen (``storage.groups``'s
``group_admins``), so "send to my group" can offer the groups a learner administers. Mixed into
SqlStore as LibraryQueries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.groups.ports import GroupSettings
from storage.groups import GroupAdminRow, GroupRow, group_settings


class LibraryQueries:
    """Mixed into SqlStore: the LibraryStore protocol of bot.core.library.ports."""

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
        return [group_settings(row) for row in rows]
