"""Group chats: what the bot says and does where a class meets. Mixed into Conversation."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.chat import Command, Event, Outcome, Person, Press
from bot.core.screens import Screens


class GroupFlows:
    views: Screens
    language_of: Callable[[Person], str]  # provided by Conversation

    async def _group_event(self, event: Event) -> Outcome:
        """The learner flow is private: in groups only /start and /help answer, and nothing
        about the people chatting there is stored."""
        language = self.language_of(event.person)
        if isinstance(event.input, Command) and event.input.name in ("start", "help"):
            return Outcome([self.views.group_welcome(language, event.bot_username)])
        if isinstance(event.input, Press):
            return Outcome(notice=self.views.closed(language))
        return Outcome()
