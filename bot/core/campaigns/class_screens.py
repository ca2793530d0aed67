"""What an educator reads of their class: who joined, started, finished and shared (one line
each, a status emoji), the spread of levels and the skills to work on per competence, the
class picture's caption, reminders and the join link posted in a group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any, Final

from babel.numbers import format_decimal

from bot.core.campaigns.callbacks import GoOn, LinkGroups, PostLink, Remind
from bot.core.campaigns.ports import Campaign
from bot.core.campaigns.report import (
    ClassReport,
    CompetenceSpread,
    LearnerRow,
    SkillToWork,
    Status,
)
from bot.core.chat import Button, Keyboard, Message
from bot.core.groups.ports import GroupSettings
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.text import TEXT_LIMIT, cut, isolated, shown
from content.bank import ContentBank

MARKS: Final = {
    Status.JOINED: "⚪",
    Status.IN_PROGRESS: "⏳",
    Status.FINISHED: "🏁",
    Status.SHARED: "✅",
}
ROOM: Final = TEXT_LIMIT - 200  # a list's lines, leaving room for its last line
TUTORIALS_SHOWN: Final = 2  # per skill to work on
LABEL_LIMIT: Final = 30
GROUP_ROOM: Final = LABEL_LIMIT - len("👥 ")


def packed(blocks: Iterable[str], limit: int = ROOM) -> list[str]:
    """Blocks of lines joined by blank lines into as few texts as fit ``limit`` each."""
    texts: list[str] = []
    for block in blocks:
        if texts and len(texts[-1]) + 2 + len(block) <= limit:
            texts[-1] += "\n\n" + block
        else:
            texts.append(block[:limit])
    return texts


class ClassScreens:
    def __init__(self, bank: ContentBank, catalogs: Catalogs) -> None:
        self.bank = bank
        self.catalogs = catalogs

    def _menu(self, language: str) -> tuple[Button, ...]:
        return (Button(self.catalogs.get(language).gettext("⬅️ Menu"), Menu().pack()),)

    def _title(self, language: str, campaign: Campaign) -> str:
        return f"<b>{shown(campaign.name)}</b> (<code>{campaign.code}</code>)"

    def _competence(self, language: str, code: str) -> str:
        return f"{code} {escape(self.bank.competence_name(code, language))}"

    def mark_legend(self, language: str) -> str:
        _ = self.catalogs.get(language).gettext
        return " · ".join(
            [
                MARKS[Status.JOINED] + " " + _("joined"),
                MARKS[Status.IN_PROGRESS] + " " + _("in progress"),
                MARKS[Status.FINISHED] + " " + _("finished, not shared"),
                MARKS[Status.SHARED] + " " + _("shared"),
            ]
        )

    def _learner(self, row: LearnerRow, total: int) -> str:
        line = f"{MARKS[row.status]} {row.number}. {shown(row.name) or '—'}"
        if row.identifier:
            line += f" · {shown(row.identifier)}"
        if row.status is Status.IN_PROGRESS:
            line += f" ({row.done}/{total})"
        return line

    def class_list(self, language: str, report: ClassReport) -> Message:
        """Every participant on one phone screen (as many as fit; the CSV has them all)."""
        _ = self.catalogs.get(language).gettext
        ngettext = self.catalogs.get(language).ngettext
        campaign, learners = report.campaign, report.learners
        counts = report.counts()
        lines = [
            "👥 "
            + _("Participants of {campaign}").format(campaign=self._title(language, campaign))
        ]
        if campaign.identifier_label:
            lines.append(_("Identifier: {label}").format(label=shown(campaign.identifier_label)))
        if not learners:
            lines += ["", _("Nobody has joined yet: give your learners the link or the code.")]
        else:
            lines.append(
                ngettext("{count} participant", "{count} participants", len(learners)).format(
                    count=len(learners)
                )
                + " — "
                + " · ".join(f"{MARKS[status]} {counts.get(status, 0)}" for status in Status)
            )
            lines += [self.mark_legend(language), ""]
            total = len(report.spreads)
            used = sum(len(line) + 1 for line in lines)
            shown_rows = 0
            for row in learners:
                line = self._learner(row, total)
                if used + len(line) + 1 > ROOM:
                    break
                lines.append(line)
                used += len(line) + 1
                shown_rows += 1
            if shown_rows < len(learners):
                more = len(learners) - shown_rows
                lines.append(
                    ngettext(
                        "…and {count} more: the CSV file lists everyone.",
                        "…and {count} more: the CSV file lists everyone.",
                        more,
                    ).format(count=more)
                )
        return Message("\n".join(lines), self.class_buttons(language, report))

    def to_remind(self, report: ClassReport) -> list[LearnerRow]:
        return [
            row for row in report.learners if row.status in (Status.JOINED, Status.IN_PROGRESS)
        ]

    def class_buttons(self, language: str, report: ClassReport) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        code = report.campaign.code
        first: list[Button] = []
        waiting = len(self.to_remind(report))
        if report.campaign.closed_at is None:  # a closed campaign takes nobody further
            if waiting:
                label = _("🔔 Remind {count}").format(count=waiting)
                first.append(Button(label, Remind(code).pack()))
            first.append(Button(_("📣 Post the link"), LinkGroups(code).pack()))
        return (tuple(first), self._menu(language)) if first else (self._menu(language),)

    # --- levels and skills -------------------------------------------------------------

    def _spread(self, language: str, spread: CompetenceSpread) -> str:
        _ = self.catalogs.get(language).gettext
        if spread.mean is None:
            return _("No shared result yet.")
        levels = " · ".join(
            _("level {level}: {count}").format(level=level, count=count)
            for level, count in enumerate(spread.counts)
            if count
        )
        mean = format_decimal(spread.mean, format="0.0", locale=language)
        return levels + " — " + _("mean {mean}").format(mean=f"<b>{mean}</b>")

    def _skill(self, language: str, skill: SkillToWork) -> str:
        _ = self.catalogs.get(language).gettext
        known = self.bank.skills.get(skill.skill)
        name = skill.skill
        if known is not None:
            title = self.bank.tubes[known.tube].title.text(language)
            name = _("{tube} (level {level})").format(tube=escape(title), level=known.level)
        line = "• " + _("{skill}: failed by {failed} of {tried}").format(
            skill=name, failed=skill.failed, tried=skill.tried
        )
        for tutorial in skill.tutorials[:TUTORIALS_SHOWN]:
            url = escape(str(tutorial.url), quote=True)
            line += f'\n   📘 <a href="{url}">{escape(tutorial.title)}</a>'
        return line

    def class_levels(self, language: str, report: ClassReport) -> list[Message]:
        """Per competence, the spread of the shared levels and the skills failed most, with
        their tutorials: as many messages as the text needs."""
        _ = self.catalogs.get(language).gettext
        ngettext = self.catalogs.get(language).ngettext
        shared = len(report.shared)
        head = "\n".join(
            [
                "📊 <b>" + _("Levels and skills to work on") + "</b>",
                ngettext(
                    "Among the {count} learner who shared their results.",
                    "Among the {count} learners who shared their results.",
                    shared,
                ).format(count=shared),
            ]
        )
        blocks = [head]
        for spread in report.spreads:
            lines = [
                "<b>" + self._competence(language, spread.code) + "</b>",
                self._spread(language, spread),
            ]
            work = report.to_work.get(spread.code, ())
            if work:
                lines.append(_("Most often failed:"))
                lines += [self._skill(language, skill) for skill in work]
            blocks.append("\n".join(lines))
        return [Message(text) for text in packed(blocks)]

    def picture_caption(self, language: str, report: ClassReport, drawn: int) -> str:
        _ = self.catalogs.get(language).gettext
        ngettext = self.catalogs.get(language).ngettext
        caption = "🖼 " + ngettext(
            "Levels of the {count} learner who shared, per competence.",
            "Levels of the {count} learners who shared, per competence.",
            drawn,
        ).format(count=drawn)
        if drawn < len(report.shared):
            caption += "\n" + _("The CSV file has everyone.")
        return caption

    # --- reminders -------------------------------------------------------------------

    def reminder(self, language: str, campaign: Campaign, row: LearnerRow) -> dict[str, Any]:
        """A delivery payload: the learner's reminder, in their language, with a way back in."""
        _ = self.catalogs.get(language).gettext
        ngettext = self.catalogs.get(language).ngettext
        educator = shown(campaign.owner_name) if campaign.owner_name else _("your educator")
        total = len(campaign.competences)
        lines = [
            "🔔 "
            + _("{educator} reminds you of the campaign {name}.").format(
                educator=educator, name=f"<b>{shown(campaign.name)}</b>"
            ),
            ngettext(
                "You have finished {done} competence out of {total}.",
                "You have finished {done} competences out of {total}.",
                row.done,
            ).format(done=row.done, total=total),
        ]
        label = _("▶️ Continue the campaign")
        return {
            "text": "\n".join(lines),
            "buttons": [[{"label": label, "data": GoOn(campaign.code).pack()}]],
        }

    def reminded(self, language: str, count: int) -> str:
        return (
            self.catalogs.get(language)
            .ngettext(
                "🔔 Reminder on its way to {count} learner.",
                "🔔 Reminder on its way to {count} learners.",
                count,
            )
            .format(count=count)
        )

    def reminded_already(self, language: str) -> str:
        return self.catalogs.get(language).gettext(
            "Your learners were reminded today already: one reminder a day."
        )

    def nobody_to_remind(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Everyone has finished: nobody to remind.")

    # --- the join link in a group -----------------------------------------------------

    def _group_name(self, language: str, group: GroupSettings) -> str:
        _ = self.catalogs.get(language).gettext
        return group.title or _("Group {id}").format(id=group.chat_id)

    def link_groups(
        self, language: str, campaign: Campaign, groups: Sequence[GroupSettings]
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        rows = tuple(
            (
                Button(
                    "👥 " + isolated(cut(self._group_name(language, group), GROUP_ROOM)),
                    PostLink(campaign.code, group.chat_id).pack(),
                ),
            )
            for group in groups
        )
        text = _("Post the link to join {name} in which group?").format(
            name=f"<b>{shown(campaign.name)}</b>"
        )
        return Message(text, (*rows, self._menu(language)))

    def no_groups(self, language: str, bot_username: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n\n".join(
            [
                "👥 " + _("I know no group that you administer yet."),
                _(
                    "Add me to your class group, or send /groupsettings there if I am already "
                    "in it; then tap the button again."
                ),
            ]
        )
        rows: list[tuple[Button, ...]] = []
        if bot_username:
            url = f"https://t.me/{bot_username}?startgroup=campaign"
            rows.append((Button("➕ " + _("Add me to a group"), url=url),))
        rows.append(self._menu(language))
        return Message(text, tuple(rows))

    def group_post(self, language: str, campaign: Campaign, bot_username: str) -> dict[str, Any]:
        """A delivery payload: the invitation in the group's language, with the join link."""
        _ = self.catalogs.get(language).gettext
        educator = shown(campaign.owner_name) if campaign.owner_name else _("your educator")
        lines = [
            "📋 "
            + _("{educator} invites you to the campaign {name}.").format(
                educator=educator, name=f"<b>{shown(campaign.name)}</b>"
            ),
            _("Open a private chat with me and send {command}.").format(
                command=f"<code>/join {campaign.code}</code>"
            ),
        ]
        payload: dict[str, Any] = {"text": "\n".join(lines)}
        if bot_username:
            url = f"https://t.me/{bot_username}?start={campaign.code}"
            payload["buttons"] = [[{"label": _("▶️ Join the campaign"), "url": url}]]
        return payload

    def link_posted(self, language: str, group: GroupSettings) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "✅ " + _("The link will be posted in {group} in a moment.").format(
            group=f"<b>{shown(self._group_name(language, group))}</b>"
        )
        return Message(text, (self._menu(language),))

    def link_posted_already(self, language: str) -> str:
        return self.catalogs.get(language).gettext(
            "The link was posted in this group today already."
        )

    def group_gone(self, language: str) -> str:
        return self.catalogs.get(language).gettext("I am no longer in that group.")

    def admins_only(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Only the group's administrators can do that.")

    def not_owner(self, language: str) -> str:
        return self.catalogs.get(language).gettext(
            "Only the educator who created this campaign can do that."
        )
