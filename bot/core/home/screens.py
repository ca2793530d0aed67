"""The welcome and the menu (its fixed entries, the test to continue and the reviews due),
/help's list of commands, and /about."""

from __future__ import annotations

from html import escape

from bot.core.account.callbacks import Settings
from bot.core.assessment.callbacks import Resume, Test
from bot.core.chat import Button, Keyboard, Message
from bot.core.habits.callbacks import Review, ShowTip, Tutorials
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.ports import REVIEW
from bot.core.profile.callbacks import Profile
from bot.core.progress import Home
from bot.core.screens import LEARNER_COMMANDS
from bot.core.text import shown


class HomeScreens:
    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

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
        text = f"👋 {hello}\n\n{about}\n\n{self.educators(language)}"
        return Message(text, self.menu_buttons(language, home))

    def educators(self, language: str) -> str:
        """The educators' features in one line, for /start and /help."""
        return self.catalogs.get(language).gettext(
            "👩‍🏫 Educators: /educator to sign up, /campaign to create and follow a campaign, "
            "/groupsettings in your class group for a daily tip or quiz."
        )

    def about(self, language: str) -> Message:
        """/about: what this bot is, who runs it, what it keeps, how to flag a question."""
        _ = self.catalogs.get(language).gettext
        parts = [
            "ℹ️ <b>" + _("About pixbot") + "</b>",
            _(
                "pixbot is free, open-source software that measures and builds digital skills "
                "in Telegram, following the rules of Pix, the French public service (pix.fr). "
                "It is not Pix and is not run by Pix: whoever added it to Telegram runs it."
            ),
            _(
                "It keeps your answers, levels and settings to adapt your tests and show your "
                "progress. /mydata shows all of it, /deleteme erases it."
            ),
            _('A question looks wrong? Press "⚠️ Report a problem" under its correction.'),
        ]
        return Message("\n\n".join(parts), ((Button(_("⬅️ Back"), Menu().pack()),),))

    def help(self, language: str) -> Message:
        """/help: one line per learner command, then one for teachers."""
        _ = self.catalogs.get(language).gettext
        lines = [f"/{name} — {escape(_(description))}" for name, description in LEARNER_COMMANDS]
        text = "❓ <b>" + _("Commands") + "</b>\n\n" + "\n".join(lines)
        text += "\n\n" + self.educators(language)
        return Message(text, ((Button(_("⬅️ Menu"), Menu().pack()),),))

    def group_settings_elsewhere(self, language: str, bot_username: str) -> Message:
        """/groupsettings in a private chat: it is sent in the class group."""
        _ = self.catalogs.get(language).gettext
        text = "⚙️ " + _(
            "/groupsettings is sent in your class group, not here: add me to the group, then "
            "send /groupsettings there as one of its administrators to choose a daily tip or "
            "quiz, its time and its language."
        )
        rows: list[tuple[Button, ...]] = []
        if bot_username:  # Telegram's "add to a group" dialog (the terminal has no username)
            url = f"https://t.me/{bot_username}?startgroup=groupsettings"
            rows.append((Button("➕ " + _("Add me to a group"), url=url),))
        rows.append((Button(_("⬅️ Menu"), Menu().pack()),))
        return Message(text, tuple(rows))

    def menu(self, language: str, home: Home) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("What would you like to do?"), self.menu_buttons(language, home))

    def not_understood(self, language: str, home: Home) -> Message:
        """The menu, to a person who sent what the chat does not take (a photo, a sticker…)."""
        _ = self.catalogs.get(language).gettext
        return Message(
            _("I only understand text and buttons. What would you like to do?"),
            self.menu_buttons(language, home),
        )

    def menu_buttons(self, language: str, home: Home) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        rows: list[tuple[Button, ...]] = []
        resume = home.resume
        if resume is not None:
            if resume.assessment.competence == REVIEW:
                label = _("▶️ Continue review · {index} of {total}").format(
                    index=resume.index, total=resume.total
                )
            else:
                label = _("▶️ Continue {competence} · challenge {index}").format(
                    competence=resume.assessment.competence, index=resume.index
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
