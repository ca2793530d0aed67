"""The person's own settings and data: language, time zone, daily reminder, what is stored
about them, erasing it; and whether they blocked the bot."""

from __future__ import annotations

from bot.core.account.callbacks import (
    EraseConfirmed,
    Languages,
    Remind,
    ReminderHour,
    ReminderScreen,
    SetLanguage,
    Settings,
    TimeZone,
    TimeZones,
)
from bot.core.account.screens import AccountScreens
from bot.core.chat import Edit, Outcome, replacing
from bot.core.ports import Awaiting, Clock, StoreFactory, User
from bot.core.registry import Registry, Turn, TurnMessage
from bot.core.reminders import next_reminder
from bot.core.screens import CommonScreens
from bot.core.timezones import COMMON, parse
from content.models import INTERFACE_LANGUAGES


class AccountSlice:
    def __init__(
        self,
        screens: AccountScreens,
        common: CommonScreens,
        menu: TurnMessage,
        stores: StoreFactory,
        clock: Clock,
    ) -> None:
        self.screens = screens
        self.common = common
        self.menu = menu  # shown once the language is chosen
        self.stores = stores
        self.clock = clock

    def register(self, registry: Registry) -> None:
        registry.command("language", self.languages)
        registry.command("settings", self.settings)
        registry.command("mydata", self.my_data)
        registry.command("deleteme", self.erase_confirm)
        registry.press(Settings, self.settings_in_place)
        registry.press(Languages, self.languages_in_place)
        registry.press(SetLanguage, self.set_language)
        registry.press(TimeZones, self.timezones)
        registry.press(TimeZone, self.timezone)
        registry.press(ReminderScreen, self.reminder)
        registry.press(Remind, self.remind)
        registry.press(ReminderHour, self.reminder_hour)
        registry.press(EraseConfirmed, self.erase)
        registry.text(Awaiting.TIMEZONE, self.typed_timezone)

    async def languages(self, turn: Turn, args: str) -> Outcome:
        return Outcome([self.screens.languages(turn.language)])

    async def settings(self, turn: Turn, args: str) -> Outcome:
        return Outcome([self.screens.settings(turn.language, turn.user, self.clock())])

    async def my_data(self, turn: Turn, args: str) -> Outcome:
        data = await turn.store.export_user(turn.user.id)
        return Outcome([self.screens.my_data(turn.language, data)])

    async def erase_confirm(self, turn: Turn, args: str) -> Outcome:
        return Outcome([self.screens.erase_confirm(turn.language)])

    async def settings_in_place(self, turn: Turn, data: Settings) -> Outcome:
        return replacing(self.screens.settings(turn.language, turn.user, self.clock()))

    async def languages_in_place(self, turn: Turn, data: Languages) -> Outcome:
        return replacing(self.screens.languages(turn.language))

    async def set_language(self, turn: Turn, data: SetLanguage) -> Outcome:
        user = turn.user
        if data.code not in INTERFACE_LANGUAGES:
            return Outcome(notice=self.common.closed(user.language))
        user.language, user.language_chosen = data.code, True
        await turn.store.save_user(user, self.clock())
        menu = await self.menu(turn)  # in the language just chosen: turn.user is user
        return Outcome([menu], [Edit(None, self.screens.language_set(user.language))])

    # --- time zone -----------------------------------------------------------------------

    async def timezones(self, turn: Turn, data: TimeZones) -> Outcome:
        turn.user.awaiting = Awaiting.TIMEZONE
        await turn.store.save_user(turn.user, self.clock())
        return replacing(self.screens.timezones(turn.language))

    async def timezone(self, turn: Turn, data: TimeZone) -> Outcome:
        outcome = await self._pick_timezone(turn, COMMON[data.index])
        return replacing(outcome.messages[0])

    async def typed_timezone(self, turn: Turn, text: str) -> Outcome:
        name = parse(text)
        if name is None:
            return Outcome([self.screens.timezone_unknown(turn.language)])
        return await self._pick_timezone(turn, name)

    async def _pick_timezone(self, turn: Turn, name: str) -> Outcome:
        user = turn.user
        user.timezone, user.awaiting = name, None
        self._reschedule(user)
        await turn.store.save_user(user, self.clock())
        return Outcome([self.screens.settings(user.language, user, self.clock())])

    # --- daily reminder ------------------------------------------------------------------

    async def reminder(self, turn: Turn, data: ReminderScreen) -> Outcome:
        return replacing(self.screens.reminder(turn.language, turn.user))

    async def remind(self, turn: Turn, data: Remind) -> Outcome:
        turn.user.reminders = data.choice == "on"
        return await self._reminder_saved(turn)

    async def reminder_hour(self, turn: Turn, data: ReminderHour) -> Outcome:
        turn.user.reminders, turn.user.reminder_hour = True, data.hour
        return await self._reminder_saved(turn)

    async def _reminder_saved(self, turn: Turn) -> Outcome:
        self._reschedule(turn.user)
        await turn.store.save_user(turn.user, self.clock())
        return replacing(self.screens.reminder(turn.language, turn.user))

    def _reschedule(self, user: User) -> None:
        user.next_reminder_at = (
            next_reminder(user.timezone, user.reminder_hour, self.clock())
            if user.reminders
            else None
        )

    # --- own data ------------------------------------------------------------------------

    async def erase(self, turn: Turn, data: EraseConfirmed) -> Outcome:
        await turn.store.delete_user(turn.user.id)
        return Outcome(edits=[Edit(None, self.screens.erased(turn.language))])

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        """A 403 or a my_chat_member update: stop (or resume) sending to this person."""
        async with self.stores() as store:
            await store.set_active(user_id, not blocked)
            await store.commit()
