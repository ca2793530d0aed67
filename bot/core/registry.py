"""What each slice answers: commands by name, buttons by kind of callback data, typed text by
the input awaited, deep-link payloads by their shape. Slices register their handlers when the
conversation is built; the conversation routes through this table only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from bot.core.callbacks import CallbackData
from bot.core.chat import Message, Outcome
from bot.core.ports import Awaiting, Store, User


@dataclass
class Turn:
    """One private-chat update being handled: its unit of work, its person, and the bot's
    @username as the messenger gave it with the update (empty in the terminal chat)."""

    store: Store
    user: User
    bot_username: str = ""

    @property
    def language(self) -> str:
        return self.user.language


# Private commands a deep link never opens (``/start NAME``): the welcome itself, and the
# erasure, which a link from elsewhere must not put one tap away.
NOT_BY_LINK: Final = frozenset({"start", "deleteme"})

CommandHandler = Callable[[Turn, str], Awaitable[Outcome]]
PressHandler = Callable[[Turn, Any], Awaitable[Outcome]]
TextHandler = Callable[[Turn, str], Awaitable[Outcome]]
Matcher = Callable[[str], bool]
# A message a slice builds for the others (the home slice's menu), given to them when built.
TurnMessage = Callable[[Turn], Awaitable[Message]]


@dataclass(frozen=True)
class PressRoute:
    handler: PressHandler
    keeps_awaiting: bool  # the handler decides about the awaited input itself


class Registry:
    def __init__(self) -> None:
        self.commands: dict[str, CommandHandler] = {}
        self.presses: dict[type[CallbackData], PressRoute] = {}
        self.texts: dict[Awaiting, TextHandler] = {}
        self.start_links: list[tuple[Matcher, CommandHandler]] = []
        # A feature's own prefix ("lib:"): its data that parses to no kind is its to answer.
        self.stale: dict[str, CommandHandler] = {}

    def command(self, name: str, handler: CommandHandler) -> None:
        if name in self.commands:
            raise ValueError(f"/{name} is registered twice")
        self.commands[name] = handler

    def press(
        self, kind: type[CallbackData], handler: PressHandler, keeps_awaiting: bool = False
    ) -> None:
        if kind in self.presses:
            raise ValueError(f"{kind.__name__} is registered twice")
        self.presses[kind] = PressRoute(handler, keeps_awaiting)

    def text(self, awaiting: Awaiting, handler: TextHandler) -> None:
        if awaiting in self.texts:
            raise ValueError(f"{awaiting} is registered twice")
        self.texts[awaiting] = handler

    def start_link(self, matches: Matcher, handler: CommandHandler) -> None:
        """``/start PAYLOAD`` from a deep link: the first registered matcher wins."""
        self.start_links.append((matches, handler))

    def stale_data(self, prefix: str, handler: CommandHandler) -> None:
        self.stale[prefix] = handler

    def start_link_for(self, payload: str) -> CommandHandler | None:
        """The handler of a deep link's payload: a registered shape first, else a command's
        name (``?start=library`` opens /library: what a group's hint links to)."""
        found = next((handler for matches, handler in self.start_links if matches(payload)), None)
        if found is None and payload not in NOT_BY_LINK:
            command = self.commands.get(payload)
            if command is not None:
                return lambda turn, _payload: command(turn, "")
        return found
