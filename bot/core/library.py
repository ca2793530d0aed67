"""The cybersecurity tips library for educators: browse, search, share, send to a group.
Mixed into Conversation, which calls the hooks below."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core import callbacks
from bot.core.chat import Event, Outcome
from bot.core.ports import Store, User

# Whether a person administers a group chat, asked of the messenger (Telegram's getChatMember).
AdminCheck = Callable[[int, int], Awaitable[bool]]


async def nobody_is_admin(chat_id: int, user_id: int) -> bool:
    return False


class LibraryFlows:
    admin_check: AdminCheck = nobody_is_admin  # the adapter sets the real one at start

    async def _library_command(self, store: Store, user: User, args: str) -> Outcome:
        """/library and /library WORDS."""
        return Outcome()

    async def _library_start(self, store: Store, user: User, payload: str) -> Outcome | None:
        """/start tip_<id> from a tip's deep link; None when the payload is not a tip's."""
        return None

    async def _library_press(self, store: Store, user: User, parsed: callbacks.Parsed) -> Outcome:
        """Buttons whose kind is "lib"."""
        return Outcome()

    async def _library_text(self, store: Store, user: User, text: str) -> Outcome | None:
        """Typed words while ``user.awaiting`` starts with "library"."""
        return None

    async def _inline(self, event: Event) -> Outcome:
        """An inline query (``@bot words``) from any chat: no database user is needed."""
        return Outcome()
