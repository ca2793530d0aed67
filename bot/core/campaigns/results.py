"""What an educator does with a campaign's class: its results (who is where, the levels and
skills to work on, the class picture, the CSV), reminding those who have not finished, and
posting the join link into one of their groups. Every button is checked against the campaign's
owner: a press on someone else's campaign gets a refusal and no data."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from bot.core.campaigns.callbacks import PREFIX, LinkGroups, Owned, PostLink, Remind
from bot.core.campaigns.class_screens import ClassScreens
from bot.core.campaigns.export import results_csv
from bot.core.campaigns.picture import MAX_ROWS, HeatmapRow, class_heatmap
from bot.core.campaigns.ports import Campaign
from bot.core.campaigns.report import ClassReport, class_report
from bot.core.campaigns.screens import CampaignScreens
from bot.core.chat import Edit, Message, Outcome
from bot.core.group_posts import GROUPS_SHOWN, Posted, post_in_group
from bot.core.groups.ports import GroupSettings
from bot.core.library.ports import GroupAdmins
from bot.core.ports import Clock
from bot.core.registry import Registry, Turn
from bot.core.timezones import zone
from content.bank import ContentBank

log = logging.getLogger(__name__)


class ClassResults:
    def __init__(
        self,
        bank: ContentBank,
        screens: ClassScreens,
        campaign_screens: CampaignScreens,
        admins: GroupAdmins,
        clock: Clock,
        max_level: int,
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.campaign_screens = campaign_screens
        self.admins = admins
        self.clock = clock
        self.max_level = max_level

    def register(self, registry: Registry) -> None:
        registry.press(Remind, self.remind)
        registry.press(LinkGroups, self.link_groups)
        registry.press(PostLink, self.post_link)

    async def report(self, turn: Turn, campaign: Campaign) -> ClassReport:
        return await class_report(turn.store, self.bank, campaign, turn.language, self.max_level)

    async def show(self, turn: Turn, campaign: Campaign) -> Outcome:
        """/campaign results CODE: the participants, the levels and skills per competence,
        the class picture once someone shared, and the CSV file."""
        lang, screens = turn.language, self.screens
        report = await self.report(turn, campaign)
        messages = [screens.class_list(lang, report), *screens.class_levels(lang, report)]
        if report.shared:
            messages.append(await self.picture(lang, report))
        data = results_csv(self.bank, screens.catalogs, lang, report, turn.user.timezone)
        messages.append(self.campaign_screens.results_file(lang, campaign, data))
        return Outcome(messages)

    async def picture(self, language: str, report: ClassReport) -> Message:
        codes = [spread.code for spread in report.spreads]
        rows = [
            HeatmapRow(
                f"{row.number}. {row.name}" + (f" · {row.identifier}" if row.identifier else ""),
                tuple(row.levels[c].level if c in row.levels else None for c in codes),
            )
            for row in report.shared
        ]
        # Off the event loop: matplotlib loads with a worker's first picture, in that thread.
        image = await asyncio.to_thread(
            partial(class_heatmap, max_level=self.max_level), report.campaign.name, codes, rows
        )
        caption = self.screens.picture_caption(language, report, min(len(rows), MAX_ROWS))
        return Message(caption, image=image)

    async def _owned(self, turn: Turn, data: Owned) -> Campaign | None:
        campaign = await turn.store.campaign_by_code(data.code)
        if campaign is None or campaign.owner_id != turn.user.id:
            log.info(
                "campaign button of someone else's campaign from user %s: %r",
                turn.user.id,
                data.pack().removeprefix(PREFIX),
            )
            return None
        return campaign

    async def remind(self, turn: Turn, data: Remind) -> Outcome:
        """One private message to each participant who has not finished, through the
        delivery engine, at most once a day per campaign (the teacher's day)."""
        store, lang, screens = turn.store, turn.language, self.screens
        campaign = await self._owned(turn, data)
        if campaign is None:
            return Outcome(notice=screens.not_owner(lang))
        if campaign.closed_at is not None:  # nobody can go on with it: nothing to remind of
            return Outcome([self.campaign_screens.already_closed(lang, campaign)])
        waiting = screens.to_remind(await self.report(turn, campaign))
        if not waiting:
            return Outcome(notice=screens.nobody_to_remind(lang))
        now = self.clock()
        day = now.astimezone(zone(turn.user.timezone)).date()
        if not await store.claim_campaign_reminder(campaign.id, day):
            return Outcome(notice=screens.reminded_already(lang))
        for row in waiting:
            await store.enqueue_delivery(
                row.user_id,
                "campaign",
                screens.reminder(row.language, campaign, row),
                now,
                f"remind:{campaign.id}:{day.isoformat()}:{row.user_id}",
            )
        return Outcome(notice=screens.reminded(lang, len(waiting)))

    async def link_groups(self, turn: Turn, data: LinkGroups) -> Outcome:
        lang, screens = turn.language, self.screens
        campaign = await self._owned(turn, data)
        if campaign is None:
            return Outcome(notice=screens.not_owner(lang))
        if campaign.closed_at is not None:
            return Outcome([self.campaign_screens.already_closed(lang, campaign)])
        groups = await turn.store.admin_groups(turn.user.id, GROUPS_SHOWN)
        if not groups:
            return Outcome([screens.no_groups(lang, turn.bot_username)])
        return Outcome([screens.link_groups(lang, campaign, groups)])

    async def post_link(self, turn: Turn, data: PostLink) -> Outcome:
        """The join link posted in a group the educator administers (asked of the messenger
        again now), through the delivery engine, once a day per group."""
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        campaign = await self._owned(turn, data)
        if campaign is None:
            return Outcome(notice=screens.not_owner(lang))
        if campaign.closed_at is not None:
            return Outcome([self.campaign_screens.already_closed(lang, campaign)])

        async def post(group: GroupSettings) -> dict[str, Any]:
            return screens.group_post(group.language, campaign, turn.bot_username)

        key = f"cmplink:{data.chat_id}:{campaign.code}"
        now = self.clock()
        done = await post_in_group(
            store, self.admins, data.chat_id, user.id, "campaign", key, post, now
        )
        group = done.group
        if done.posted is Posted.GONE or group is None:
            return Outcome(notice=screens.group_gone(lang))
        if done.posted is Posted.NOT_ADMIN:
            return Outcome(notice=screens.admins_only(lang))
        if done.posted is Posted.ALREADY:
            return Outcome(notice=screens.link_posted_already(lang))
        posted = screens.link_posted(lang, group)
        return Outcome(edits=[Edit(None, posted.text, posted.buttons)])
