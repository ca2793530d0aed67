"""What the learner reads around the tests (welcome, menus, areas, retesting, languages), in the
user's language; the tests' own screens are in challenge_views."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape

from babel.dates import format_date

from bot.core.account.callbacks import SetLanguage, Settings
from bot.core.assessment.callbacks import Area, Competence, Improve, Reset, Resume, Test
from bot.core.assessments import REVIEW, Served
from bot.core.challenge_views import ChallengeViews
from bot.core.chat import Button, Keyboard, Message
from bot.core.habits.callbacks import Review, ShowTip, Tutorials
from bot.core.home.callbacks import Menu
from bot.core.i18n import LANGUAGE_NAMES
from bot.core.ports import CompetenceResult
from bot.core.profile.callbacks import Profile
from bot.core.retesting import Retest
from bot.core.text import shown


@dataclass(frozen=True)
class Home:
    """What the menu shows besides the fixed entries."""

    resume: Served | None = None
    due_reviews: int = 0


class Views(ChallengeViews):
    """Every screen of the private chat: menus and settings here, the test's in ChallengeViews."""

    # --- menus -------------------------------------------------------------------------

    def welcome(self, language: str, first_name: str, home: Home) -> Message:
        _ = self.catalogs.get(language).gettext
        hello = (
            _("Hello {name}! I'm pixbot.").format(name=shown(first_name))
            if first_name
            else _("Hello! I'm pixbot.")
        )
        about = _(
            "I measure and build your digital skills, like Pix: 16 competences in 5 areas, "
            "levels 0 to 8. Pick a competence and answer a few short challenges: I adapt to "
            "your answers to find your level. After each answer I show the right one, and "
            "after a mistake I send tutorials so you learn something."
        )
        return Message(f"👋 {hello}\n\n{about}", self.menu_buttons(language, home))

    def menu(self, language: str, home: Home) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("What would you like to do?"), self.menu_buttons(language, home))

    def menu_buttons(self, language: str, home: Home) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        rows: list[tuple[Button, ...]] = []
        resume = home.resume
        if resume is not None:
            what = resume.assessment.competence
            if what == REVIEW:
                what = _("review")
            label = _("▶️ Continue: {competence} ({index}/{total})").format(
                competence=what, index=resume.index, total=resume.expected_total
            )
            rows.append((Button(label, Resume().pack()),))
        rows.append((Button(_("🎯 Take a test"), Test().pack()),))
        if home.due_reviews and (resume is None or resume.assessment.competence != REVIEW):
            label = _("🔁 Review ({count})").format(count=home.due_reviews)
            rows.append((Button(label, Review().pack()),))
        rows.append(
            (
                Button(_("📊 My profile"), Profile().pack()),
                Button(_("📚 Tutorials"), Tutorials().pack()),
            )
        )
        rows.append(
            (Button(_("💡 A tip"), ShowTip().pack()), Button(_("⚙️ Settings"), Settings().pack()))
        )
        return tuple(rows)

    def areas(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        rows = [
            (Button(f"{area.code} · {area.name.get(language)}", Area(area.code).pack()),)
            for area in self.bank.framework.areas
        ]
        rows.append((Button(_("⬅️ Back"), Menu().pack()),))
        return Message(_("Choose an area:"), tuple(rows))

    def competences(
        self, language: str, area_code: str, results: Mapping[str, CompetenceResult]
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        area = self.bank.areas[area_code]
        rows = []
        for competence in area.competences:
            label = f"{competence.code} {competence.name.get(language)}"
            if competence.code in results:
                label += " · " + _("level {level}").format(level=results[competence.code].level)
            rows.append((Button(label, Competence(competence.code).pack()),))
        rows.append((Button(_("⬅️ Back"), Test().pack()),))
        title = f"<b>{area.code} · {escape(area.name.get(language))}</b>"
        return Message(title + "\n" + _("Choose a competence:"), tuple(rows))

    def retest(self, language: str, rules: Retest, now: datetime, area: str) -> Message:
        """A competence already tested: its result, and what Pix's retry rules allow now."""
        _ = self.catalogs.get(language).gettext
        result = rules.result
        name = escape(self.bank.competence_name(result.competence, language))
        lines = [
            f"<b>{result.competence} {name}</b>",
            _("Your result: level {level} · {pix} pix ({date}).").format(
                level=result.level, pix=result.pix, date=self.date(language, result.finished_at)
            ),
        ]
        rows: list[tuple[Button, ...]] = []
        if rules.can_improve(now):
            lines.append(
                _("Improve it: the skills you validated are kept, the others are asked again.")
            )
            rows.append((Button(_("📈 Improve my result"), Improve(result.competence).pack()),))
        else:
            wait = _("You can improve it from {date}; your validated skills will be kept.")
            lines.append(wait.format(date=self.date(language, rules.improve_from)))
        if rules.can_reset(now):
            lines.append(_("Or start this competence again from zero."))
            rows.append((Button(_("🔄 Start from zero"), Reset(result.competence).pack()),))
        rows.append((Button(_("⬅️ Back"), Area(area).pack()),))
        return Message("\n".join(lines), tuple(rows))

    @staticmethod
    def date(language: str, moment: datetime) -> str:
        return format_date(moment.date(), format="long", locale=language)

    def languages(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        rows = [
            (Button(("✅ " if code == language else "") + name, SetLanguage(code).pack()),)
            for code, name in LANGUAGE_NAMES.items()
        ]
        return Message(_("Choose your language:"), tuple(rows))

    def language_set(self, language: str) -> str:
        return (
            self.catalogs.get(language)
            .gettext("Language: {language}")
            .format(language=LANGUAGE_NAMES[language])
            + " ✅"
        )

    def group_welcome(self, language: str, bot_username: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _(
            "Hi! Tests happen in a private chat with me, so your answers stay yours. "
            "Tap below to start."
        )
        buttons: Keyboard = ()
        if bot_username:
            url = f"https://t.me/{bot_username}?start=go"
            buttons = ((Button(_("Open a private chat"), url=url),),)
        return Message(text, buttons)

    # --- short answers -----------------------------------------------------------------

    def closed(self, language: str) -> str:
        return self.catalogs.get(language).gettext("This question is closed.")

    def not_understood(self, language: str, home: Home) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("I only understand text and buttons. What would you like to do?"),
            self.menu_buttons(language, home),
        )

    def apology(self, language: str, unavailable: bool = False) -> str:
        _ = self.catalogs.get(language).gettext
        if unavailable:
            return _("pixbot is temporarily unavailable. Please try again in a minute.")
        return _("Sorry, something went wrong on my side. Please try again.")

    def slow_down(self, language: str) -> str:
        """To a person whose updates come faster than they can be answered (some dropped)."""
        _ = self.catalogs.get(language).gettext
        return _(
            "⏳ Easy! I answer one message at a time: wait for my reply before sending the "
            "next one."
        )
