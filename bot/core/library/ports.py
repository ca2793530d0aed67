"""What the library needs from storage (implemented by storage.library) and from the
messenger (whether a person administers a group chat)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from bot.core.groups.ports import GroupSettings

# Whether a person administers a group chat, asked of the messenger (Telegram's getChatMember).
AdminCheck = Callable[[int, int], Awaitable[bool]]


async def nobody_is_admin(chat_id: int, user_id: int) -> bool:
    return False


class GroupAdmins:
    """The messenger's answer to "does this person administer that group?", given to the
    conversation when it is built. An adapter whose client exists only once it runs connects
    its check then (``connect``); until then nobody administers anything."""

    def __init__(self, check: AdminCheck = nobody_is_admin) -> None:
        self._check = check

    def connect(self, check: AdminCheck) -> None:
        self._check = check

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return await self._check(chat_id, user_id)


class LibraryStore(Protocol):
    async def record_group_admin(self, chat_id: int, user_id: int, now: datetime) -> None:
        """Remember that ``user_id`` administers the group (ignored for untracked groups)."""
        ...

    async def forget_group_admin(self, chat_id: int, user_id: int) -> None: ...
    async def admin_groups(self, user_id: int, limit: int) -> list[GroupSettings]:
        """The active groups where ``user_id`` was seen administering."""
        ...
