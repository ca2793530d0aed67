"""What sharing needs from storage (implemented by storage.sharing): a share is a result card
or a profile picture sent to its owner, which inline mode sends again by its token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol

FILE_ID_LIMIT: Final = 256  # Telegram's file ids are far shorter; a longer one is not stored


class ShareKind(StrEnum):
    """What is shared (stored as its value)."""

    RESULT = "result"  # a test's result card
    PROFILE = "profile"  # the profile picture


@dataclass(frozen=True)
class Share:
    token: str  # what the inline query names: new_token()
    user_id: int
    kind: ShareKind
    competence: str | None  # a result's; None for the profile
    level: int | None  # a result's; None for the profile
    pix: int  # the result's, or the profile's total
    created_at: datetime
    file_id: str | None = None  # the photo as Telegram holds it, once sent


class SharingStore(Protocol):
    async def add_share(self, share: Share) -> None: ...
    async def get_share(self, token: str) -> Share | None: ...
    async def set_share_file(self, token: str, file_id: str) -> None: ...
