"""Tables and queries of the campaigns feature (registered on storage.models.Base)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class CampaignQueries:
    """Mixed into SqlStore: the CampaignStore protocol of bot.core.campaign_ports."""

    session: AsyncSession
