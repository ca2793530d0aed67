"""Screens that bring learners back: reviews, tutorials, tips, settings, reminders, own data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any, Final

from bot.core.account.callbacks import (
    EraseConfirmed,
    Languages,
    Remind,
    ReminderHour,
    ReminderScreen,
    Settings,
    TimeZone,
    TimeZones,
)
from bot.core.assessment.callbacks import Again, Resume
from bot.core.assessments import ReviewFinished
from bot.core.chat import Attachment, Button, Message
from bot.core.habits.callbacks import Review, SaveTutorial, ShowTip, TutorialsPage, UsefulTutorial
from bot.core.home.callbacks import Menu
from bot.core.i18n import LANGUAGE_NAMES
from bot.core.ports import User
from bot.core.text import N_
from bot.core.timezones import COMMON, zone
from bot.core.views import Views
from content.bank import content_language
from content.models import Tip, Tutorial

PAGE_SIZE: Final = 5
REMINDER_HOURS: Final = (7, 8, 12, 17, 18, 19, 20, 21)

# Commands shown in Telegram's menu for private chats (description msgids are translated).
LEARNER_COMMANDS: Final = (
    ("start", N_("Menu and introduction")),
    ("test", N_("Take a test")),
    ("review", N_("Review your mistakes")),
    ("profile", N_("Your levels and pix")),
    ("tutorials", N_("Saved and recommended tutorials")),
    ("tip", N_("A cybersecurity tip")),
    ("settings", N_("Language, time zone, reminder")),
    ("language", N_("Change the language")),
    ("mydata", N_("Everything stored about you")),
    ("deleteme", N_("Erase your data")),
    ("library", N_("Cybersecurity tips library for educators")),
)


class Screens(Views):
    # --- reviews -----------------------------------------------------------------------

    def nothing_to_review(self, language: str, next_due: datetime | None) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("No review is due. Missed skills come back here when it is time to review them.")
        if next_due is not None:
            text += "\n" + _("Next review: {date}.").format(date=self.date(language, next_due))
        return Message(text, ((Button(_("🎯 Take a test"), Again().pack()),),))

    def finish_test_first(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("You have a test in progress: finish it first, then review."),
            ((Button(_("▶️ Continue the test"), Resume().pack()),),),
        )

    def review_done(self, language: str, done: ReviewFinished) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [
            "🔁 <b>" + _("Review done") + "</b>",
            _("{right} of {total} right. Levels do not change with reviews.").format(
                right=done.right, total=done.answered
            ),
        ]
        if done.next_due is not None:
            lines.append(_("Next review: {date}.").format(date=self.date(language, done.next_due)))
        buttons = ((Button(_("🎯 Take a test"), Again().pack()),),)
        return Message("\n".join(lines), buttons)

    # --- tutorials ---------------------------------------------------------------------

    def tutorials(
        self,
        language: str,
        saved: Sequence[tuple[Tutorial, bool | None]],
        recommended: Sequence[Tutorial],
        page: int,
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        entries: list[tuple[Tutorial, bool, bool | None]] = [
            (tutorial, True, useful) for tutorial, useful in saved
        ] + [(tutorial, False, None) for tutorial in recommended]
        if not entries:
            return Message(
                _("No tutorial yet: save one after a mistake, or take a test."),
                ((Button(_("🎯 Take a test"), Again().pack()),),),
            )
        pages = (len(entries) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max(page, 0), pages - 1)
        shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        parts = ["📚 <b>" + _("Your tutorials") + "</b>"]
        buttons: list[Button] = []
        for number, (tutorial, is_saved, useful) in enumerate(shown, page * PAGE_SIZE + 1):
            mark = _("saved") if is_saved else _("recommended")
            if useful:
                mark += " · 👍"
            parts.append(
                self.tutorial_list(language, [tutorial], numbered=True, start=number)
                + f"\n   <i>{mark}</i>"
            )
            ref = self.bank.tutorial_ref(tutorial.id)
            if is_saved and not useful:
                buttons.append(
                    Button(_("👍 {number}").format(number=number), UsefulTutorial(ref).pack())
                )
            elif not is_saved:
                buttons.append(
                    Button(_("💾 {number}").format(number=number), SaveTutorial(ref).pack())
                )
        rows: list[tuple[Button, ...]] = []
        if buttons:
            rows.append(tuple(buttons))
        if pages > 1:
            navigation = []
            if page > 0:
                navigation.append(Button("◀️", TutorialsPage(page - 1).pack()))
            navigation.append(Button(f"{page + 1}/{pages}", TutorialsPage(page).pack()))
            if page < pages - 1:
                navigation.append(Button("▶️", TutorialsPage(page + 1).pack()))
            rows.append(tuple(navigation))
        footer = _("👍 marks a saved tutorial as useful; 💾 saves a recommended one.")
        return Message("\n\n".join([*parts, f"<i>{footer}</i>"]), tuple(rows))

    # --- tips --------------------------------------------------------------------------

    def tip(self, language: str, tip: Tip | None) -> Message:
        _ = self.catalogs.get(language).gettext
        if tip is None:
            return Message(_("No tip is available right now."))
        text = tip.text(content_language(language))
        source = f'<a href="{escape(str(tip.source.url))}">{escape(tip.source.name)}</a>'
        body = f"💡 <b>{escape(text.title)}</b>\n\n{escape(text.text)}\n\n" + _(
            "Source: {source}"
        ).format(source=source)
        return Message(body, ((Button(_("💡 Another tip"), ShowTip().pack()),),))

    # --- settings ----------------------------------------------------------------------

    def settings(
        self, language: str, user: User | None = None, now: datetime | None = None
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [
            "⚙️ <b>" + _("Settings") + "</b>",
            _("Language: {language}").format(language=LANGUAGE_NAMES[language]),
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
        rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
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
            tuple(hours[:4]),
            tuple(hours[4:]),
            (Button(_("⬅️ Back"), Settings().pack()),),
        ]
        return Message(text, tuple(rows))

    def reminder_message(self, language: str, due: int, streak: int) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = ["⏰ " + _("Your daily moment with pixbot.")]
        if due:
            lines.append(
                self.catalogs.get(language)
                .ngettext(
                    "{count} review is waiting for you.",
                    "{count} reviews are waiting for you.",
                    due,
                )
                .format(count=due)
            )
        else:
            lines.append(_("No review is due: a few challenges keep your skills fresh."))
        if streak:
            lines.append(self.streak(language, streak))
        button = (
            Button(_("🔁 Review ({count})").format(count=due), Review().pack())
            if due
            else Button(_("🎯 Take a test"), Again().pack())
        )
        return Message("\n".join(lines), ((button,),))

    # --- the learner's own data --------------------------------------------------------

    def my_data(self, language: str, data: dict[str, Any]) -> Message:
        _ = self.catalogs.get(language).gettext
        document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        return Message(
            _("Here is everything pixbot stores about you, as a JSON file."),
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

    def commands(self, language: str) -> list[tuple[str, str]]:
        _ = self.catalogs.get(language).gettext
        return [(name, _(description)) for name, description in LEARNER_COMMANDS]
