"""What the group flows need from storage (implemented by storage.groups)."""

from __future__ import annotations

from typing import Protocol


class GroupStore(Protocol):
    """Group queries; see bot.core.groups."""
