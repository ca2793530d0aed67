"""The dashboard's JSON: an educator's campaigns, one campaign's class report (participants and
their status, the spread of levels per competence, the heatmap, each learner's profile, the
skills to work on with their tutorials), its CSV, and "send these tutorials to my group".

Plain use cases over the core's store and bank, no HTTP (``app.py`` serves them): each takes
the person the initData named and raises :class:`Forbidden` when that person may not see or do
it. What a learner did not share never reaches here: the class report leaves their levels and
skills empty, and nothing else about them (their Telegram id) is put in the JSON.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any, Final

from babel.dates import format_datetime

from bot.core.campaigns.export import results_csv
from bot.core.campaigns.ports import Campaign
from bot.core.campaigns.report import (
    ClassReport,
    LearnerRow,
    SkillToWork,
    Status,
    class_report,
)
from bot.core.campaigns.use_cases import CODE_FORMAT, normalise_code
from bot.core.group_posts import GROUPS_SHOWN, Posted, post_in_group
from bot.core.groups.ports import GroupSettings
from bot.core.i18n import Catalogs, resolve_language
from bot.core.library.ports import GroupAdmins
from bot.core.ports import Clock, Store, StoreFactory, User
from bot.core.screens import CommonScreens
from bot.core.timezones import zone
from bot.dashboard.auth import WebAppUser
from content.bank import ContentBank
from content.models import Tutorial

log = logging.getLogger(__name__)
MAX_CAMPAIGNS: Final = 100
TUTORIALS_POSTED: Final = 3  # per skill in a group's post: 3 skills x 3 stay far from 4096


class Forbidden(Exception):
    """A genuine Telegram user who may not see or do this (another educator, a learner)."""


class NotFound(Exception):
    """No such campaign (the code is malformed or unknown)."""


@dataclass(frozen=True)
class Viewer:
    """The educator behind a request: their stored account, language and time zone."""

    user: User
    language: str


def stamp(moment: datetime | None, timezone: str, language: str) -> str | None:
    """A moment as the teacher reads dates, in their time zone (Babel's short format)."""
    if moment is None:
        return None
    return format_datetime(moment.astimezone(zone(timezone)), "short", locale=language)


class Dashboard:
    def __init__(
        self,
        stores: StoreFactory,
        bank: ContentBank,
        catalogs: Catalogs,
        admins: GroupAdmins,
        clock: Clock,
        max_level: int,
        default_language: str = "en",
    ) -> None:
        self.stores = stores
        self.bank = bank
        self.catalogs = catalogs
        self.admins = admins
        self.clock = clock
        self.max_level = max_level
        self.default_language = default_language
        self.common = CommonScreens(catalogs)

    # --- who is asking ---------------------------------------------------------------------

    async def viewer(self, store: Store, person: WebAppUser) -> Viewer:
        """The educator the initData names; Forbidden for anyone else (a learner, a
        stranger to the bot)."""
        user = await store.get_user(person.id)
        if user is None or not await store.is_educator(person.id):
            raise Forbidden("not an educator")
        language = (
            user.language
            if user.language_chosen
            else resolve_language(person.language_code, user.language or self.default_language)
        )
        return Viewer(user, language)

    async def owned(self, store: Store, viewer: Viewer, code: str) -> Campaign:
        code = normalise_code(code)
        campaign = await store.campaign_by_code(code) if CODE_FORMAT.fullmatch(code) else None
        if campaign is None:
            raise NotFound(code)
        if campaign.owner_id != viewer.user.id:
            raise Forbidden("another educator's campaign")
        return campaign

    # --- reading ---------------------------------------------------------------------------

    async def campaigns(self, person: WebAppUser) -> dict[str, Any]:
        async with self.stores() as store:
            viewer = await self.viewer(store, person)
            owned = await store.owned_campaigns(viewer.user.id)
        zone_name = viewer.user.timezone
        return {
            "language": viewer.language,
            "timezone": zone_name,
            "campaigns": [
                {
                    "code": campaign.code,
                    "name": campaign.name,
                    "participants": count,
                    "closed": campaign.closed_at is not None,
                    "created": stamp(campaign.created_at, zone_name, viewer.language),
                }
                for campaign, count in owned[:MAX_CAMPAIGNS]
            ],
        }

    async def campaign(self, person: WebAppUser, code: str) -> dict[str, Any]:
        async with self.stores() as store:
            viewer = await self.viewer(store, person)
            campaign = await self.owned(store, viewer, code)
            report = await class_report(
                store, self.bank, campaign, viewer.language, self.max_level
            )
            groups = await store.admin_groups(viewer.user.id, GROUPS_SHOWN)
        return self.report_json(report, viewer, groups)

    async def csv(self, person: WebAppUser, code: str) -> tuple[str, bytes]:
        """The campaign's CSV, as `/campaign results` sends it: its file name and bytes."""
        async with self.stores() as store:
            viewer = await self.viewer(store, person)
            campaign = await self.owned(store, viewer, code)
            report = await class_report(
                store, self.bank, campaign, viewer.language, self.max_level
            )
        data = results_csv(self.bank, self.catalogs, viewer.language, report, viewer.user.timezone)
        return f"campaign-{campaign.code}.csv", data

    def report_json(
        self, report: ClassReport, viewer: Viewer, groups: list[GroupSettings]
    ) -> dict[str, Any]:
        language, timezone = viewer.language, viewer.user.timezone
        campaign = report.campaign
        counts = report.counts()
        return {
            "language": language,
            "timezone": timezone,
            "max_level": self.max_level,
            "campaign": {
                "code": campaign.code,
                "name": campaign.name,
                "closed": campaign.closed_at is not None,
                "created": stamp(campaign.created_at, timezone, language),
                "identifier_label": campaign.identifier_label,
                "competences": [
                    {
                        "code": spread.code,
                        "name": self.bank.competence_name(spread.code, language),
                        "short": self.bank.competence_short(spread.code, language),
                    }
                    for spread in report.spreads
                ],
            },
            "counts": {str(status): counts.get(status, 0) for status in Status},
            "learners": [self.learner_json(row, language, timezone) for row in report.learners],
            "spreads": [
                {"code": spread.code, "counts": list(spread.counts), "mean": spread.mean}
                for spread in report.spreads
            ],
            "to_work": {
                code: [self.skill_json(skill, language) for skill in skills]
                for code, skills in report.to_work.items()
            },
            "groups": [{"id": group.chat_id, "title": group.title} for group in groups],
        }

    def learner_json(self, row: LearnerRow, language: str, timezone: str) -> dict[str, Any]:
        """A participant as the educator may see them: no Telegram id; levels and skills only
        when they shared (the report keeps them empty otherwise)."""
        return {
            "number": row.number,
            "name": row.name,
            "identifier": row.identifier,
            "status": str(row.status),
            "joined": stamp(row.joined_at, timezone, language),
            "shared": stamp(row.shared_at, timezone, language),
            "done": row.done,
            "levels": {
                code: {"level": score.level, "pix": score.pix}
                for code, score in row.levels.items()
            },
            "skills": [
                {
                    "skill": skill,
                    "name": self.skill_name(skill, language),
                    "competence": self.bank.skills[skill].competence,
                    "validated": validated,
                }
                for skill, validated in sorted(row.skills.items(), key=self.skill_order)
                if skill in self.bank.skills
            ],
        }

    def skill_order(self, item: tuple[str, bool]) -> tuple[str, str, int]:
        skill = self.bank.skills.get(item[0])
        if skill is None:
            return ("", item[0], 0)
        return (skill.competence, skill.tube, skill.level)

    def skill_name(self, name: str, language: str) -> str:
        """ "Passwords and password managers (level 3)": its tube's title and its level."""
        skill = self.bank.skills[name]
        title = self.bank.tubes[skill.tube].title.text(language)
        return (
            self.catalogs.get(language)
            .gettext("{tube} (level {level})")
            .format(tube=title, level=skill.level)
        )

    def skill_json(self, skill: SkillToWork, language: str) -> dict[str, Any]:
        return {
            "skill": skill.skill,
            "name": self.skill_name(skill.skill, language),
            "failed": skill.failed,
            "tried": skill.tried,
            "tutorials": [tutorial_json(tutorial) for tutorial in skill.tutorials],
        }

    # --- sending tutorials to a group -------------------------------------------------------

    async def send_tutorials(
        self, person: WebAppUser, code: str, competence: str, chat_id: int
    ) -> tuple[Posted, str]:
        """The skills to work on in ``competence`` and their tutorials, posted in the group
        ``chat_id`` through the delivery engine, in the group's language; once a day per group
        and competence. Whether the educator administers the group is asked of Telegram now
        (an administrator removed since is refused). Returns what happened and the group's
        title."""
        async with self.stores() as store:
            viewer = await self.viewer(store, person)
            campaign = await self.owned(store, viewer, code)
            if competence not in campaign.competences:
                raise NotFound(competence)
            user_id = viewer.user.id

            async def post(group: GroupSettings) -> dict[str, Any]:
                report = await class_report(
                    store, self.bank, campaign, group.language, self.max_level
                )
                skills = report.to_work.get(competence, ())
                if not skills:
                    raise NotFound(competence)
                return {"text": self.group_post(group.language, competence, skills)}

            key = f"tutorials:{chat_id}:{campaign.id}:{competence}"
            done = await post_in_group(
                store, self.admins, chat_id, user_id, "tutorials", key, post, self.clock()
            )
            await store.commit()
        title = done.group.title if done.group is not None else ""
        if done.posted is not Posted.SENT:
            log.info("dashboard: tutorials for group %s by user %s: %s", chat_id, user_id, done)
            return done.posted, title
        log.info("dashboard: tutorials of %s sent to group %s", competence, chat_id)
        return Posted.SENT, title

    def group_post(self, language: str, competence: str, skills: tuple[SkillToWork, ...]) -> str:
        """Telegram HTML for the class group: the skills and their tutorials, no learner named
        (what the class failed is the educator's to know, what to read is everyone's)."""
        _ = self.catalogs.get(language).gettext
        name = escape(self.bank.competence_name(competence, language))
        title = _("To work on together: {competence}").format(competence=f"{competence} {name}")
        lines = ["📚 <b>" + title + "</b>"]
        for skill in skills:
            lines += ["", "<b>" + escape(self.skill_name(skill.skill, language)) + "</b>"]
            if skill.tutorials:
                shown = skill.tutorials[:TUTORIALS_POSTED]
                lines.append(self.common.tutorial_list(language, shown))
        return "\n".join(lines)


def tutorial_json(tutorial: Tutorial) -> dict[str, Any]:
    return {
        "title": tutorial.title,
        "url": str(tutorial.url),
        "source": tutorial.source,
        "format": str(tutorial.format),
        "minutes": tutorial.minutes,
    }
