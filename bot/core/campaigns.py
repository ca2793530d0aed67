"""Campaigns (Pix Orga in a chat): educators create them, learners join with a code, take the
targeted competences and share their results. Mixed into Conversation, which calls the hooks
below; each returns None when the input is not for campaigns."""

from __future__ import annotations

from bot.core import callbacks
from bot.core.assessments import Finished
from bot.core.chat import Message, Outcome
from bot.core.ports import Store, User


class CampaignFlows:
    async def _campaign_command(
        self, store: Store, user: User, name: str, args: str
    ) -> Outcome | None:
        """/educator, /campaign …, /join CODE."""
        return None

    async def _campaign_start_payload(
        self, store: Store, user: User, payload: str
    ) -> Outcome | None:
        """/start <payload> from a deep link (a campaign code)."""
        return None

    async def _campaign_press(self, store: Store, user: User, parsed: callbacks.Parsed) -> Outcome:
        """Buttons whose kind is "cmp"."""
        return Outcome()

    async def _campaign_text(self, store: Store, user: User, text: str) -> Outcome | None:
        """Typed text while ``user.awaiting`` starts with "campaign"."""
        return None

    async def _campaign_after(self, store: Store, user: User, finished: Finished) -> list[Message]:
        """Messages after a test ends (the next targeted competence, or sharing)."""
        return []
