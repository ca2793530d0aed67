"""The menu's button."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import CallbackData, kind


@kind
@dataclass(frozen=True)
class Menu(CallbackData, prefix="menu"):
    """The menu, in place of the message whose button was pressed."""
