"""What more than one slice shows, and the conversation's own answers: a closed button, the
apology when handling failed, the flood warning, the streak line, a list of tutorials, and the
private chat's commands for Telegram's menu. Each slice's own texts are in its ``screens.py``."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Final

from bot.core.i18n import Catalogs
from bot.core.text import FORMAT_NAMES, N_
from content.bank import content_language
from content.models import Tip, Tutorial

# Commands shown in Telegram's menu for private chats (description msgids are translated):
# a learner's, one line each in /help, then the educators', which /help sums up in one line.
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
    ("about", N_("What this bot is and what it keeps")),
    ("join", N_("Join an educator's campaign with its code")),
    ("library", N_("Cybersecurity tips library for educators")),
)
EDUCATOR_COMMANDS: Final = (
    ("educator", N_("Educators: sign up for campaigns")),
    ("campaign", N_("Educators: your campaigns and results")),
)


def tip_source(tip: Tip, language: str) -> str:
    """The link to the source of ``tip`` for a reader of ``language``: the source in the
    language the tip is read in, where it has one."""
    source = tip.source_in(content_language(language))
    return f'<a href="{escape(str(source.url))}">{escape(source.name, quote=False)}</a>'


class CommonScreens:
    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    def closed(self, language: str) -> str:
        return self.catalogs.get(language).gettext("This question is closed.")

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

    def streak(self, language: str, days: int) -> str:
        return (
            self.catalogs.get(language)
            .ngettext("🔥 Streak: {days} day", "🔥 Streak: {days} days", days)
            .format(days=days)
        )

    def tutorial_list(
        self, language: str, tutorials: Iterable[Tutorial], numbered: bool = False, start: int = 1
    ) -> str:
        _ = self.catalogs.get(language).gettext
        lines = []
        for number, tutorial in enumerate(tutorials, start):
            link = f'<a href="{escape(str(tutorial.url))}">{escape(tutorial.title)}</a>'
            details = " · ".join(
                [
                    escape(tutorial.source),
                    _(FORMAT_NAMES[str(tutorial.format)]),
                    _("{minutes} min").format(minutes=tutorial.minutes),
                ]
            )
            bullet = f"{number}." if numbered else "•"
            lines.append(f"{bullet} {link}\n   <i>{details}</i>")
        return "\n".join(lines)

    def commands(self, language: str) -> list[tuple[str, str]]:
        _ = self.catalogs.get(language).gettext
        return [
            (name, _(description)) for name, description in (*LEARNER_COMMANDS, *EDUCATOR_COMMANDS)
        ]
