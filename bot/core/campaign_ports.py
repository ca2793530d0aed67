"""Moved to ``bot.core.campaigns.ports``; this name stays while storage imports it."""

from bot.core.campaigns.ports import (
    Campaign,
    CampaignDraft,
    CampaignStore,
    CompetenceScore,
    ParticipantResult,
    Participation,
)

__all__ = [
    "Campaign",
    "CampaignDraft",
    "CampaignStore",
    "CompetenceScore",
    "ParticipantResult",
    "Participation",
]
