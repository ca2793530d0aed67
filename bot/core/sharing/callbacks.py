"""The sharing buttons: under a test's result and under the profile picture."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.assessment.callbacks import ASSESSMENTS
from bot.core.callbacks import CallbackData, kind, whole


@kind
@dataclass(frozen=True)
class ShareResult(CallbackData, prefix="shr"):
    """ "📣 Share my result" under a finished test: its card, ready to send to a chat."""

    assessment: int = whole(ASSESSMENTS)


@kind
@dataclass(frozen=True)
class ShareProfile(CallbackData, prefix="shp"):
    """ "📣 Share" under the profile picture: the picture, ready to send to a chat."""
