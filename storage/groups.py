"""Tables and queries of the groups feature (registered on storage.models.Base)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class GroupQueries:
    """Mixed into SqlStore: the GroupStore protocol of bot.core.group_ports."""

    session: AsyncSession
