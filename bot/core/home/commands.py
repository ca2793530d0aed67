"""The welcome and the menu: /start, /help, /about, any command we do not know, the menu button;
/groupsettings sent here instead of in a group."""

from __future__ import annotations

from bot.core.chat import Message, Outcome, replacing
from bot.core.home.callbacks import Menu
from bot.core.home.screens import HomeScreens
from bot.core.progress import Progress
from bot.core.registry import Registry, Turn


class HomeSlice:
    def __init__(self, screens: HomeScreens, progress: Progress) -> None:
        self.screens = screens
        self.progress = progress

    def register(self, registry: Registry) -> None:
        registry.command("start", self.welcome)
        registry.command("help", self.help)
        registry.command("about", self.about)
        registry.command("groupsettings", self.group_settings)
        registry.press(Menu, self.menu_in_place)

    async def welcome(self, turn: Turn, args: str) -> Outcome:
        home = await self.progress.home(turn.store, turn.user)
        return Outcome([self.screens.welcome(turn.language, turn.user.first_name, home)])

    async def help(self, turn: Turn, args: str) -> Outcome:
        return Outcome([self.screens.help(turn.language)])

    async def about(self, turn: Turn, args: str) -> Outcome:
        return Outcome([self.screens.about(turn.language)])

    async def group_settings(self, turn: Turn, args: str) -> Outcome:
        """/groupsettings sent here rather than in a group: where it goes."""
        return Outcome([self.screens.group_settings_elsewhere(turn.language, turn.bot_username)])

    async def menu(self, turn: Turn, args: str = "") -> Outcome:
        """Any other command: the menu."""
        return Outcome([await self.menu_message(turn)])

    async def menu_message(self, turn: Turn) -> Message:
        """The menu as it is now (other slices end with it too)."""
        return self.screens.menu(turn.language, await self.progress.home(turn.store, turn.user))

    async def not_understood(self, turn: Turn) -> Message:
        """The menu, to a person who sent what the chat does not take."""
        home = await self.progress.home(turn.store, turn.user)
        return self.screens.not_understood(turn.language, home)

    async def menu_in_place(self, turn: Turn, data: Menu) -> Outcome:
        return replacing(await self.menu_message(turn))
