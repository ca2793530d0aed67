"""The profile's button."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import CallbackData, kind


@kind
@dataclass(frozen=True)
class Profile(CallbackData, prefix="profile"):
    pass
