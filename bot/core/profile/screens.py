"""The learner's profile: the tested competences by area with their level and pix, the
untested ones in one line, the total, the streak; an invitation when nothing is tested yet;
and the words of the profile picture."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bot.core.assessment.callbacks import Again
from bot.core.chat import Button, Keyboard, Message
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.ports import CompetenceResult
from bot.core.scoring import DEFAULT_MAX_LEVEL
from bot.core.screens import CommonScreens
from bot.core.sharing.callbacks import ShareProfile
from content.bank import ContentBank


class ProfileScreens:
    def __init__(
        self,
        bank: ContentBank,
        catalogs: Catalogs,
        common: CommonScreens,
        max_level: int = DEFAULT_MAX_LEVEL,
    ) -> None:
        self.bank = bank
        self.catalogs = catalogs
        self.common = common
        self.max_level = max_level

    def profile(
        self, language: str, results: Mapping[str, CompetenceResult], streak: int = 0
    ) -> Message:
        """The profile as text, under its picture; an invitation when nothing is tested."""
        catalog = self.catalogs.get(language)
        _ = catalog.gettext
        if not results:
            return self.invitation(language)
        parts = ["📊 <b>" + _("Your profile") + "</b>"]
        untested: list[str] = []
        tested = 0
        for area in self.bank.framework.areas:
            lines = [f"<b>{area.code} · {escape(area.name.get(language))}</b>"]
            for competence in area.competences:
                result = results.get(competence.code)
                if result is None:
                    untested.append(competence.code)
                    continue
                tested += 1
                status = _("level {level} of {max} · {pix} pix").format(
                    level=result.level, max=self.max_level, pix=result.pix
                )
                name = escape(competence.name.get(language))
                lines.append(f"{competence.code} {name} — {status}")
            if len(lines) > 1:
                parts.append("\n".join(lines))
        if untested:
            parts.append(
                catalog.ngettext(
                    "{count} competence not tested yet: {codes}",
                    "{count} competences not tested yet: {codes}",
                    len(untested),
                ).format(count=len(untested), codes=", ".join(untested))
            )
        total = sum(result.pix for result in results.values())
        count = catalog.ngettext(
            "{count} of {total} competences tested",
            "{count} of {total} competences tested",
            tested,
        ).format(count=tested, total=tested + len(untested))
        parts.append(_("Total: <b>{pix}</b> pix").format(pix=total) + " · " + count)
        if streak:
            parts.append(self.common.streak(language, streak))
        return Message("\n\n".join(parts), self.buttons(language))

    def invitation(self, language: str) -> Message:
        """To a learner with no result yet: no picture, one line and the way to a first test."""
        _ = self.catalogs.get(language).gettext
        text = _(
            "You have not taken a test yet. Take a first one: a few short challenges on the "
            "competence you choose, and your profile shows your level."
        )
        title = _("Your profile")
        return Message(f"📊 <b>{title}</b>\n\n{text}", self.buttons(language))

    def buttons(self, language: str) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        return (
            (Button(_("🎯 Take a test"), Again().pack()),),
            (Button(_("⬅️ Menu"), Menu().pack()),),
        )

    def share(self, language: str) -> Keyboard:
        """Under the profile picture: send it to a chat."""
        return ((Button(self.catalogs.get(language).gettext("📣 Share"), ShareProfile().pack()),),)

    def profile_title(self, language: str, results: Mapping[str, CompetenceResult]) -> str:
        total = sum(result.pix for result in results.values())
        return self.catalogs.get(language).gettext("Your profile: {pix} pix").format(pix=total)

    def caption(
        self, language: str, results: Mapping[str, CompetenceResult], streak: int = 0
    ) -> str:
        """Under the radar chart: the total, and the streak if there is one."""
        title = self.profile_title(language, results)
        return title if not streak else f"{title} · {self.common.streak(language, streak)}"

    def chart_labels(self, language: str) -> tuple[str, str]:
        """The chart's words: a level's, and an untested competence's."""
        _ = self.catalogs.get(language).gettext
        return _("level"), _("not tested")
