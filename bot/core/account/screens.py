"""The person's settings and data: language, time zone, daily reminder, what is stored about
them, erasing it."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any, Final

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
from bot.core.chat import Attachment, Button, Message, in_rows
from bot.core.home.callbacks import Menu
from bot.core.i18n import LANGUAGE_NAMES, Catalogs, language_name
from bot.core.ports import User
from bot.core.timezones import COMMON, zone

REMINDER_HOURS: Final = (7, 8, 12, 17, 18, 19, 20, 21)
PER_ROW: Final = 3  # buttons in a row that fit a phone


class AccountScreens:
    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    # --- language ------------------------------------------------------------------------

    def languages(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        rows = [
            (Button(("✅ " if code == language else "") + name, SetLanguage(code).pack()),)
            for code, name in LANGUAGE_NAMES.items()
        ]
        rows.append((Button(_("⬅️ Back"), Settings().pack()),))
        return Message(_("Choose your language:"), tuple(rows))

    def language_set(self, language: str) -> str:
        return (
            self.catalogs.get(language)
            .gettext("Language: {language}")
            .format(language=language_name(language, language))
            + " ✅"
        )

    # --- settings ------------------------------------------------------------------------

    def settings(
        self, language: str, user: User | None = None, now: datetime | None = None
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [
            "⚙️ <b>" + _("Settings") + "</b>",
            _("Language: {language}").format(language=language_name(language, language)),
        ]
        if user is not None and now is not None:
            local = now.astimezone(zone(user.timezone)).strftime("%H:%M")
            lines.append(
                _("Time zone: {zone} (it is {time} there)").format(
                    zone=escape(user.timezone), time=local
                )
            )
            lines.append(self.reminder_state(language, user))
        buttons = (
            (
                Button(_("🌐 Language"), Languages().pack()),
                Button(_("🕒 Time zone"), TimeZones().pack()),
            ),
            (Button(_("⏰ Daily reminder"), ReminderScreen().pack()),),
            (Button(_("⬅️ Back"), Menu().pack()),),
        )
        return Message("\n".join(lines), buttons)

    def reminder_state(self, language: str, user: User) -> str:
        _ = self.catalogs.get(language).gettext
        if user.reminders:
            return _("Daily reminder: on, at {hour}:00").format(hour=f"{user.reminder_hour:02d}")
        return _("Daily reminder: off")

    def timezones(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        buttons = [Button(name, TimeZone(index).pack()) for index, name in enumerate(COMMON)]
        rows = in_rows(buttons, 2)
        rows.append((Button(_("⬅️ Back"), Settings().pack()),))
        text = _(
            "Choose your time zone, or type a UTC offset (like UTC+2) or a city (like Paris)."
        )
        return Message(text, tuple(rows))

    def timezone_unknown(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("I don't know that time zone. Type a UTC offset like UTC+2, or a city like Paris."),
            ((Button(_("⬅️ Back"), Settings().pack()),),),
        )

    def reminder(self, language: str, user: User) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n".join(
            [
                "⏰ <b>" + _("Daily reminder") + "</b>",
                _("Once a day at your hour: the reviews that are due and your streak."),
                self.reminder_state(language, user),
            ]
        )
        toggle = (
            Button(_("🔕 Turn off"), Remind("off").pack())
            if user.reminders
            else Button(_("🔔 Turn on"), Remind("on").pack())
        )
        hours = [
            Button(
                ("✅ " if user.reminders and hour == user.reminder_hour else "")
                + f"{hour:02d}:00",
                ReminderHour(hour).pack(),
            )
            for hour in REMINDER_HOURS
        ]
        rows = [
            (toggle,),
            *in_rows(hours, PER_ROW),
            (Button(_("⬅️ Back"), Settings().pack()),),
        ]
        return Message(text, tuple(rows))

    # --- the person's own data -----------------------------------------------------------

    def my_data(self, language: str, data: dict[str, Any]) -> Message:
        _ = self.catalogs.get(language).gettext
        document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        anonymous = _(
            "Answers typed and marked wrong are also counted for the authors of the questions, "
            "with nothing that says who typed them: /deleteme leaves these counts."
        )
        return Message(
            _("Here is everything pixbot stores about you, as a JSON file.") + "\n\n" + anonymous,
            ((Button(_("⬅️ Menu"), Menu().pack()),),),
            file=Attachment("pixbot-my-data.json", document, "application/json"),
        )

    def erase_confirm(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("This erases your profile, results, reviews and settings for good. Continue?"),
            (
                (Button(_("🗑 Yes, erase everything"), EraseConfirmed().pack()),),
                (Button(_("Cancel"), Menu().pack()),),
            ),
        )

    def erased(self, language: str) -> str:
        return self.catalogs.get(language).gettext(
            "Everything about you has been erased. Send /start if you want to begin again."
        )
