"""The learner's profile: levels and pix per competence, the total, the streak, and the
labels of the radar chart."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bot.core.assessment.callbacks import Again
from bot.core.chat import Button, Message
from bot.core.i18n import Catalogs
from bot.core.ports import CompetenceResult
from bot.core.screens import CommonScreens
from content.bank import ContentBank


class ProfileScreens:
    def __init__(self, bank: ContentBank, catalogs: Catalogs, common: CommonScreens) -> None:
        self.bank = bank
        self.catalogs = catalogs
        self.common = common

    def profile(
        self, language: str, results: Mapping[str, CompetenceResult], streak: int = 0
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        parts = ["📊 <b>" + _("Your profile") + "</b>"]
        for area in self.bank.framework.areas:
            lines = [f"<b>{area.code} · {escape(area.name.get(language))}</b>"]
            for competence in area.competences:
                name = escape(competence.name.get(language))
                result = results.get(competence.code)
                status = (
                    _("level {level} · {pix} pix").format(level=result.level, pix=result.pix)
                    if result
                    else _("not tested")
                )
                lines.append(f"{competence.code} {name} — {status}")
            parts.append("\n".join(lines))
        total = sum(result.pix for result in results.values())
        parts.append(
            _("Total: <b>{pix}</b> pix · {count} of 16 competences tested").format(
                pix=total, count=len(results)
            )
        )
        if streak:
            parts.append(self.common.streak(language, streak))
        return Message("\n\n".join(parts), ((Button(_("🎯 Take a test"), Again().pack()),),))

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
