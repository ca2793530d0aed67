"""What brings learners back: the reviews' own answers, their tutorials, a tip, and the daily
reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Final

from bot.core.assessment.callbacks import Again, Resume
from bot.core.chat import Button, Keyboard, Message, in_rows
from bot.core.habits.callbacks import Review, SaveTutorial, ShowTip, TutorialsPage, UsefulTutorial
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.screens import CommonScreens, tip_source
from bot.core.text import long_date
from content.bank import ContentBank, content_language
from content.models import Tip, Tutorial

PAGE_SIZE: Final = 5
PER_ROW: Final = 3  # buttons in a row that fit a phone


class HabitsScreens:
    def __init__(self, bank: ContentBank, catalogs: Catalogs, common: CommonScreens) -> None:
        self.bank = bank
        self.catalogs = catalogs
        self.common = common

    def _menu(self, language: str) -> tuple[Button, ...]:
        return (Button(self.catalogs.get(language).gettext("⬅️ Menu"), Menu().pack()),)

    def _with_menu(self, language: str, button: Button) -> Keyboard:
        return ((button, *self._menu(language)),)

    # --- reviews -------------------------------------------------------------------------

    def nothing_to_review(self, language: str, next_due: datetime | None) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("No review is due. Missed skills come back here when it is time to review them.")
        if next_due is not None:
            text += "\n" + _("Next review: {date}.").format(date=long_date(language, next_due))
        return Message(
            text, self._with_menu(language, Button(_("🎯 Take a test"), Again().pack()))
        )

    def finish_test_first(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("You have a test in progress: finish it first, then review."),
            self._with_menu(language, Button(_("▶️ Continue the test"), Resume().pack())),
        )

    # --- tutorials -----------------------------------------------------------------------

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
                self._with_menu(language, Button(_("🎯 Take a test"), Again().pack())),
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
                self.common.tutorial_list(language, [tutorial], numbered=True, start=number)
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
        rows = in_rows(buttons, PER_ROW)
        if pages > 1:
            navigation = []
            if page > 0:
                navigation.append(Button("◀️", TutorialsPage(page - 1).pack()))
            navigation.append(Button(f"{page + 1}/{pages}", TutorialsPage(page).pack()))
            if page < pages - 1:
                navigation.append(Button("▶️", TutorialsPage(page + 1).pack()))
            rows.append(tuple(navigation))
        rows.append(self._menu(language))
        footer = _("👍 marks a saved tutorial as useful; 💾 saves a recommended one.")
        return Message("\n\n".join([*parts, f"<i>{footer}</i>"]), tuple(rows))

    def saved(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Saved: find it with /tutorials.")

    def marked_useful(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Thanks: marked as useful.")

    # --- tips ----------------------------------------------------------------------------

    def tip(self, language: str, tip: Tip | None) -> Message:
        _ = self.catalogs.get(language).gettext
        if tip is None:
            return Message(_("No tip is available right now."), (self._menu(language),))
        text = tip.text(content_language(language))
        source = tip_source(tip, language)
        body = f"💡 <b>{escape(text.title)}</b>\n\n{escape(text.text)}\n\n" + _(
            "Source: {source}"
        ).format(source=source)
        return Message(
            body, self._with_menu(language, Button(_("💡 Another tip"), ShowTip().pack()))
        )

    # --- the daily reminder --------------------------------------------------------------

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
            lines.append(self.common.streak(language, streak))
        button = (
            Button(_("🔁 Review ({count})").format(count=due), Review().pack())
            if due
            else Button(_("🎯 Take a test"), Again().pack())
        )
        return Message("\n".join(lines), self._with_menu(language, button))
