"""A campaign's results as a CSV file like Pix Orga's export: ``;``-separated, UTF-8 with a BOM
(spreadsheets guess the encoding from it), one row per participant, the identifier the campaign
asked for, levels and pix per competence and one column per skill of the targeted competences
(validated, failed, not reached), all of it only once the learner shared. Times are the
teacher's, their zone in the column's name."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Final

from bot.core.campaigns.report import ClassReport, Status
from bot.core.i18n import Catalogs
from bot.core.text import without_bidi
from bot.core.timezones import zone
from content.bank import ContentBank

CSV_UNSAFE: Final = ("=", "+", "-", "@", "\t", "\r")  # would start a spreadsheet formula


def cell(value: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ as a formula: keep it text."""
    return "'" + value if value.startswith(CSV_UNSAFE) else value


def stamp(moment: datetime | None, timezone: str = "UTC") -> str:
    """A moment in the teacher's time zone (the CSV's headers and the summary name it)."""
    return "" if moment is None else moment.astimezone(zone(timezone)).strftime("%Y-%m-%d %H:%M")


def results_csv(
    bank: ContentBank, catalogs: Catalogs, language: str, report: ClassReport, timezone: str
) -> bytes:
    _ = catalogs.get(language).gettext
    campaign = report.campaign
    codes = [spread.code for spread in report.spreads]
    skills = [skill.name for code in codes for skill in bank.competence_skills(code)]
    header = [_("Campaign code"), _("Campaign name"), _("Participant")]
    if campaign.identifier_label:
        header.append(cell(without_bidi(campaign.identifier_label)))
    header += [
        _("Started at") + f" ({timezone})",
        _("Progress %"),
        _("Shared (Y/N)"),
        _("Shared at") + f" ({timezone})",
    ]
    for code in codes:
        header += [
            _("{competence} level").format(competence=code),
            _("{competence} pix").format(competence=code),
        ]
    header += [cell(skill) for skill in skills]
    outcome = {True: _("validated"), False: _("failed")}
    not_reached = _("not reached")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    total = max(len(codes), 1)
    for row in report.learners:
        shared = row.status is Status.SHARED
        line = [
            campaign.code,
            cell(without_bidi(campaign.name)),
            cell(without_bidi(f"{row.name} #{row.number}".strip())),
        ]
        if campaign.identifier_label:
            line.append(cell(without_bidi(row.identifier or "")))
        line += [
            stamp(row.joined_at, timezone),
            str(round(100 * row.done / total)),
            _("Y") if shared else _("N"),
            stamp(row.shared_at, timezone),
        ]
        for code in codes:
            score = row.levels.get(code)
            line += ["", ""] if score is None else [str(score.level), str(score.pix)]
        if shared:
            line += [outcome[row.skills[s]] if s in row.skills else not_reached for s in skills]
        else:  # nothing of theirs but their progress
            line += [""] * len(skills)
        writer.writerow(line)
    return out.getvalue().encode("utf-8-sig")
