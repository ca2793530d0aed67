"""What the campaign flows need from storage (implemented by storage.campaigns)."""

from __future__ import annotations

from typing import Protocol


class CampaignStore(Protocol):
    """Campaign queries; see bot.core.campaigns."""
