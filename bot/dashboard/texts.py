"""Every text the dashboard's page shows, translated from pixbot's gettext catalogs: the page
fetches them as one JSON object in the teacher's language (``{key: text}``), so the en, fr and
sv catalogs and their checks (tests/unit/test_translations.py) cover the page too."""

from __future__ import annotations

from typing import Final

from bot.core.i18n import Catalogs
from bot.core.text import N_

PAGE_TEXTS: Final[dict[str, str]] = {
    "title": N_("Campaign dashboard"),
    "campaigns": N_("Your campaigns"),
    "no_campaign": N_("You have no campaign yet. Create one with /campaign new."),
    "loading": N_("Loading…"),
    "unauthenticated": N_(
        "This page opens from the bot's “📊 Open the dashboard” button in Telegram. "
        "If you opened it from there, close it and open it again."
    ),
    "forbidden": N_("Only the educator who created this campaign can see its results."),
    "not_educator": N_("The dashboard is for educators: send /educator to the bot first."),
    "failed": N_("Something went wrong. Try again in a minute."),
    "back": N_("⬅️ Campaigns"),
    "open": N_("open"),
    "closed": N_("closed"),
    "participants": N_("Participants"),
    "participants_count": N_("Participants: {count}"),
    "no_participant": N_("Nobody has joined yet. Share the campaign's link with your class."),
    "joined": N_("Joined"),
    "in_progress": N_("In progress"),
    "finished": N_("Finished, not shared"),
    "shared": N_("Shared"),
    "status_count": N_("{status}: {count}"),
    "distribution": N_("Levels per competence"),
    "distribution_note": N_("Only the results that learners shared are counted."),
    "mean": N_("Mean level: {mean}"),
    "level_axis": N_("Level"),
    "learners_at": N_("Level {level}: {count}"),
    "no_result": N_("No shared result yet."),
    "heatmap": N_("Class map"),
    "sort_name": N_("By name"),
    "sort_level": N_("By level"),
    "tap_learner": N_("Tap a learner to see their profile."),
    "not_shared": N_("not shared"),
    "to_work": N_("Skills to work on"),
    "to_work_note": N_("The skills the class failed most, with tutorials to go further."),
    "failed_by": N_("Failed by {failed} of {tried}"),
    "nothing_to_work": N_("Nothing to work on yet: no shared result has a failed skill."),
    "no_tutorial": N_("No tutorial for this skill yet."),
    "minutes": N_("{minutes} min"),
    "send_title": N_("Send these tutorials to one of your groups"),
    "choose_group": N_("Choose a group"),
    "send": N_("📤 Send"),
    "sent": N_("Sent: the tutorials reach {group} within a minute."),
    "already_sent": N_("These tutorials were sent to this group today already."),
    "not_admin": N_("Only the group's administrators can send there."),
    "group_gone": N_("The bot is no longer in that group."),
    "no_group": N_(
        "No group yet: add the bot to your class group and send /groupsettings there as one "
        "of its administrators; the group then shows here."
    ),
    "csv": N_("⬇️ Download the CSV"),
    "csv_note": N_("Semicolons, UTF-8: opens in any spreadsheet."),
    "identifier": N_("Identifier: {identifier}"),
    "joined_on": N_("Joined: {date}"),
    "shared_on": N_("Shared: {date}"),
    "progress": N_("Competences finished: {done} of {total}"),
    "level_pix": N_("level {level} · {pix} pix"),
    "validated": N_("✅ Skills validated"),
    "failed_skills": N_("❌ Skills to work on"),
    "close": N_("Close"),
    "times_in": N_("Times in {zone}"),
}


def page_texts(catalogs: Catalogs, language: str) -> dict[str, str]:
    gettext = catalogs.get(language).gettext
    return {key: gettext(text) for key, text in PAGE_TEXTS.items()}
