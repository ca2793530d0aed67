"""The teacher and library screens fit a phone in English, French and Swedish (issue #17,
item 4): every button label at most 30 characters, at most 3 buttons in a row, and every
screen reached in a private chat has a way back (⬅️ Back, ⬅️ Menu, Cancel, or the library's
📚 Topics, whose screen has ⬅️ Menu)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto

from bot.core.campaigns.class_screens import ClassScreens
from bot.core.campaigns.ports import Campaign, CampaignDraft, CompetenceScore, Participation
from bot.core.campaigns.report import (
    ClassReport,
    CompetenceSpread,
    LearnerRow,
    SkillToWork,
    Status,
)
from bot.core.campaigns.screens import CampaignScreens
from bot.core.chat import Message
from bot.core.conversation import Conversation
from bot.core.groups.ports import GroupSettings, LeaderboardRow, QuizPoll
from bot.core.groups.screens import GroupScreens
from bot.core.habits.screens import HabitsScreens
from bot.core.i18n import Catalogs
from bot.core.library.screens import LibraryScreens
from bot.core.screens import CommonScreens
from bot.core.text import TEXT_LIMIT
from content.bank import ContentBank
from content.loader import load_bank
from tests.e2e.test_groups import configured_group
from tests.telegram import ChatDriver, RecordingSession, answered_notices, sent_texts
from tests.virtual_time import VirtualTime

LABEL_LIMIT = 30  # characters a phone shows of a button
PER_ROW = 3
# Marks that take no room: emoji variation selectors, joiners, bidirectional isolates.
INVISIBLE = dict.fromkeys(map(ord, "\ufe0f\u200d\u2068\u2069"))
LANGUAGES = ["en", "fr", "sv"]
CODE = re.compile(r"<code>([A-Z]{6}[0-9]{3})</code>")
LONG_NAME = "Cycle 4 — sécurité numérique et citoyenneté, classe de 5e B (2026)"


def width(label: str) -> int:
    return len(label.translate(INVISIBLE))


def labels(request: Any) -> list[list[str]]:
    """The rows of button labels of an inline keyboard a request carries."""
    rows = getattr(getattr(request, "reply_markup", None), "inline_keyboard", None) or []
    return [[button.text for button in row] for row in rows]


class Fit:
    """Checks every keyboard a person receives, in one language."""

    def __init__(self, catalogs: Catalogs, language: str) -> None:
        _ = catalogs.get(language).gettext
        self._ = _
        self.ways_back = {_("⬅️ Back"), _("⬅️ Menu"), _("Cancel"), "📚 " + _("Topics")}
        self.checked = 0

    def rows(self, rows: list[list[str]]) -> None:
        for row in rows:
            assert len(row) <= PER_ROW, row
            for label in row:
                assert width(label) <= LABEL_LIMIT, label
        self.checked += 1

    def __call__(self, requests: list[Any], way_back: bool = True) -> None:
        """``requests``: one action's replies. Each keyboard fits; the screen the person reads
        last (the last message sent, else the last one edited) has a way back."""
        sent = [r for r in requests if isinstance(r, SendMessage | SendDocument | SendPhoto)]
        shown: list[Any] = sent or [r for r in requests if isinstance(r, EditMessageText)]
        assert shown, requests
        for request in requests:
            self.rows(labels(request))
        if way_back:
            found = {label for row in labels(shown[-1]) for label in row}
            assert found & self.ways_back, (getattr(shown[-1], "text", None), found)

    def message(self, message: Message, way_back: bool = True) -> None:
        """A screen built directly (one that takes long to reach through a chat)."""
        self.rows([[button.label for button in row] for row in message.buttons])
        if way_back:
            labels = {button.label for row in message.buttons for button in row}
            assert labels & self.ways_back, (message.text, labels)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_settings_and_habits_fit_a_phone(
    telegram: Callable[..., ChatDriver], catalogs: Catalogs, language: str
) -> None:
    person = telegram(user_id=7100 + LANGUAGES.index(language), language=language)
    fit = Fit(catalogs, language)
    _ = fit._
    fit(await person.say("/settings"))
    fit(await person.press(_("🌐 Language")))
    fit(await person.press(_("⬅️ Back")))
    fit(await person.press(_("🕒 Time zone")))
    fit(await person.say("Atlantis"))  # no such zone: said, with the way back
    fit(await person.press(_("⬅️ Back")))
    fit(await person.press(_("⏰ Daily reminder")))
    fit(await person.press(_("🔔 Turn on")))
    fit(await person.say("/language"))
    fit(await person.say("/mydata"))
    fit(await person.say("/deleteme"))
    fit(await person.say("/tip"))
    fit(await person.press(_("💡 Another tip")))
    fit(await person.say("/tutorials"))
    fit(await person.say("/review"))
    assert fit.checked >= 14


@pytest.mark.parametrize("language", LANGUAGES)
async def test_library_fits_a_phone(
    telegram: Callable[..., ChatDriver], catalogs: Catalogs, language: str
) -> None:
    person = telegram(user_id=7200 + LANGUAGES.index(language), language=language)
    fit = Fit(catalogs, language)
    _ = fit._
    fit(await person.say("/library"))
    fit(await person.press(person.live_buttons()[0]))  # a topic: who is it for?
    fit(await person.press(person.live_buttons()[0]))  # any audience: which level?
    fit(await person.press(person.live_buttons()[0]))  # any level: the first tip
    fit(await person.press(_("Send to my group")))  # no group yet
    fit(await person.press(_("⬅️ Back")))  # the tip again
    fit(await person.press(_("Search")))
    fit(await person.say("x" * 300))  # too long
    fit(await person.press(_("⬅️ Back")))
    fit(await person.say("/library phishing"))
    fit(await person.say("/library zzzqqqxxx"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_search_pages_fit_a_phone(
    make_conversation: Callable[..., Conversation],
    make_runtime: Callable[..., Awaitable[Any]],
    session: RecordingSession,
    bot: Bot,
    limits_time: VirtualTime,
    catalogs: Catalogs,
    language: str,
) -> None:
    """A search's pages on the shipped library (the fixtures' is smaller than a page)."""
    dispatcher = await make_runtime(make_conversation(bank=load_bank()))
    person = ChatDriver(
        dispatcher, bot, session, user_id=7250, language=language, time=limits_time
    )
    fit = Fit(catalogs, language)
    _ = fit._
    fit(await person.say("/library password"))
    fit(await person.press(_("More ▶️")))
    fit(await person.press(_("More ▶️")))
    fit(await person.press(_("◀️ Previous")))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_campaigns_fit_a_phone(
    telegram: Callable[..., ChatDriver], catalogs: Catalogs, language: str
) -> None:
    base = 7300 + 10 * LANGUAGES.index(language)
    educator = telegram(user_id=base, language=language)
    learner = telegram(user_id=base + 1, language=language)
    fit = Fit(catalogs, language)
    _ = fit._
    fit(await learner.say("/campaign new"))  # educators only
    fit(await educator.say("/educator"))
    fit(await educator.press(_("✅ Register as an educator")))
    fit(await educator.say("/educator"))
    fit(await educator.say("/campaign"))
    fit(await educator.say("/campaign new"))
    fit(await educator.say("x" * 101))  # too long a name
    fit(await educator.say(LONG_NAME))
    for code in ("1.1", "4.1", "3.1"):
        fit(await educator.press(code), way_back=False)  # the draft, edited: Cancel stays
    fit(await educator.press("🪪"))  # ask each learner for an identifier (Skip is the way on)
    fit(await educator.say("x" * 65), way_back=False)
    fit(await educator.say(LONG_NAME[:64]))  # the draft again, with the identifier's name
    fit(await educator.press("🚀"))
    found = CODE.search(educator.last_text)
    assert found is not None, educator.last_text
    code = found.group(1)
    fit(await educator.say("/campaign list"))
    fit(await educator.say(f"/campaign results {code}"))
    fit(await learner.say(f"/campaign results {code}"))  # not the owner
    fit(await learner.say("/join"))
    fit(await learner.say("/join nope"))
    fit(await learner.say("/join ABCDEF123"))
    fit(await learner.say(f"/join {code}"))
    fit(await learner.press("✅"))  # I agree: the identifier is asked
    fit(await learner.say("9" * 65))
    fit(await learner.say(LONG_NAME[:64]), way_back=False)  # the first challenge
    fit(await educator.say(f"/campaign results {code}"))  # with a learner to remind
    fit(await educator.press("📣"))  # no group known: how to add the bot, and the menu
    await educator.say(f"/campaign results {code}")
    reminded = await educator.press("🔔")
    assert answered_notices(reminded) and not sent_texts(reminded)
    fit(await educator.say(f"/campaign close {code}"))
    fit(await educator.say(f"/campaign close {code}"))
    fit(await educator.say(f"/campaign results {code}"))  # closed: no link to post
    fit(await learner.say(f"/join {code}"), way_back=False)  # in it: the challenge she left


@pytest.mark.parametrize("language", LANGUAGES)
async def test_group_settings_fit_a_phone(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    catalogs: Catalogs,
    language: str,
) -> None:
    admin, _pupil = await configured_group(telegram, session)
    fit = Fit(catalogs, "en")
    fit(await admin.say("/groupsettings"), way_back=False)
    for _step in range(LANGUAGES.index(language)):  # the group's language, in turn
        fit(await admin.press("🌐"), way_back=False)
    fit = Fit(catalogs, language)
    _ = fit._
    for opens, back in (
        ("🕗", _("⬅️ Back")),  # the tip's hour
        ("🕗 12:00", _("⬅️ Back")),  # the quiz's hour and how long it stays open
        ("🕒", _("⬅️ Back")),
        ("🏷", _("✅ Done")),
        ("👥", _("⬅️ Back")),
        ("📶", _("⬅️ Back")),
        ("⏸", _("⬅️ Back")),
    ):
        fit(await admin.press(opens), way_back=False)
        fit(await admin.press(back), way_back=False)
    for toggle in ("📅", "🏆", "🕶", "🔕"):  # every state of the panel's buttons
        fit(await admin.press(toggle), way_back=False)
    for press in ("⏸", "⏸", "⏸", "▶️"):  # the pauses, one chosen, then ▶️ Resume now
        fit(await admin.press(press), way_back=False)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_where_teacher_features_are_fits_a_phone(
    telegram: Callable[..., ChatDriver], catalogs: Catalogs, language: str
) -> None:
    """/groupsettings sent in a private chat, and a private chat's commands sent in a group."""
    person = telegram(user_id=7400 + LANGUAGES.index(language), language=language)
    fit = Fit(catalogs, language)
    fit(await person.say("/groupsettings"))
    fit(await person.say("/start"), way_back=False)  # the menu itself, its educators' line added
    member = telegram(
        user_id=7410 + LANGUAGES.index(language),
        chat_id=-1007400 - LANGUAGES.index(language),
        chat_type="supergroup",
        language=language,
    )
    for command in ("/test", "/library", "/join ABCDEF123", "/campaign results ABCDEF123"):
        fit(await member.say(command), way_back=False)  # a group's message: nothing to go back to


@pytest.mark.parametrize("language", LANGUAGES)
def test_screens_long_to_reach_fit_a_phone(
    bank: ContentBank, catalogs: Catalogs, language: str
) -> None:
    """A full page of tutorials, the daily reminder, a campaign's last steps and groups with
    long names: built directly, as a chat takes many steps to reach them."""
    fit = Fit(catalogs, language)
    habits = HabitsScreens(bank, catalogs, CommonScreens(catalogs))
    tutorials = list(bank.tutorials.values())[:7]
    page = habits.tutorials(language, [(t, None) for t in tutorials[:3]], tutorials[3:], 0)
    assert sum(len(row) for row in page.buttons) >= 6  # five actions and the way back
    fit.message(page)
    fit.message(habits.reminder_message(language, due=3, streak=2))
    fit.message(habits.reminder_message(language, due=0, streak=0))

    now = datetime(2026, 11, 25, tzinfo=UTC)
    codes = tuple(list(bank.competences)[:2])
    campaign = Campaign(1, "ABCDEF123", LONG_NAME, 1, "Ms Leroy", codes, now)
    screens = CampaignScreens(bank, catalogs)
    fit.message(screens.next_competence(language, campaign, 1, codes[1]))
    scores = {code: CompetenceScore(2, 16) for code in codes}
    fit.message(screens.share_prompt(language, campaign, scores))
    participation = Participation(1, 1, 2, 1, now)
    fit.message(screens.join_help(language, [(campaign, participation)] * 3))
    # With the dashboard served: "📊 Open the dashboard" above the way back.
    dashboard = CampaignScreens(bank, catalogs, "https://bot.example.org/dashboard")
    listed = dashboard.campaign_list(language, [(campaign, 30)])
    fit.message(listed)
    assert any(button.web_app for row in listed.buttons for button in row)
    fit.message(dashboard.results_file(language, campaign, b""))

    library = LibraryScreens(bank, catalogs)
    tip = bank.tips[0]
    groups = [GroupSettings(chat_id=-100 - n, title=LONG_NAME * 2) for n in range(3)]
    fit.message(library.groups(language, tip, groups))

    # The whole class of a large school with long names: one message, cut with "…".
    group_screens = GroupScreens(bank, catalogs)
    group = GroupSettings(chat_id=-100, language=language)
    rows = [LeaderboardRow(n, LONG_NAME[:64], 3, 5, False) for n in range(100)]
    poll = QuizPoll("p", -100, next(iter(bank.challenges)), 0, now, 1, now, 30, 20)
    board = group_screens.leaderboard_with(group, rows, False, poll, offer_all=False)
    assert len(board.text) <= TEXT_LIMIT and "\n…\n" in board.text and "📊" in board.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_large_class_fits_a_phone(catalogs: Catalogs, language: str) -> None:
    """A campaign on all 16 competences of the shipped bank with 200 learners of long names
    and identifiers: the participants in one message (cut, saying how many more), the levels
    and skills to work on in messages within Telegram's limit, every button within 30
    characters, the reminder and the group's invitation too."""
    shipped = load_bank()
    fit = Fit(catalogs, language)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    codes = tuple(shipped.competences)
    campaign = Campaign(1, "ABCDEF123", LONG_NAME, 1, "Ms Leroy", codes, now, None, LONG_NAME[:64])
    statuses = list(Status)
    learners = tuple(
        LearnerRow(
            number=n,
            name=LONG_NAME[:64],
            identifier=LONG_NAME[-64:],
            status=statuses[n % 4],
            joined_at=now,
            shared_at=now if statuses[n % 4] is Status.SHARED else None,
            levels={},
            skills={},
            done=n % 16,
        )
        for n in range(1, 201)
    )
    spreads = tuple(CompetenceSpread(code, (5, 10, 20, 10, 3, 1, 1), 2.1) for code in codes)
    to_work = {
        code: tuple(
            SkillToWork(
                skill.name, code, 40, 50, tuple(shipped.tutorials_for(skill.name, language))
            )
            for skill in shipped.competence_skills(code)[:3]
        )
        for code in codes
    }
    report = ClassReport(campaign, learners, spreads, to_work)
    screens = ClassScreens(shipped, catalogs)
    listed = screens.class_list(language, report)
    assert len(listed.text) <= TEXT_LIMIT and "CSV" in listed.text.splitlines()[-1]
    fit.message(listed)
    levels = screens.class_levels(language, report)
    assert len(levels) > 1 and all(len(m.text) <= TEXT_LIMIT for m in levels)
    assert sum(m.text.count("📘") for m in levels) >= 16
    groups = [GroupSettings(chat_id=-100 - n, title=LONG_NAME * 2) for n in range(3)]
    fit.message(screens.link_groups(language, campaign, groups))
    fit.message(screens.no_groups(language, "pixbot"))
    for payload in (
        screens.reminder(language, campaign, learners[0]),
        screens.group_post(language, campaign, "pixbot"),
    ):
        assert len(payload["text"]) <= TEXT_LIMIT
        fit.rows([[button["label"] for button in row] for row in payload["buttons"]])
    campaign_screens = CampaignScreens(shipped, catalogs)
    fit.message(campaign_screens.ask_identifier(language, campaign, LONG_NAME[:64]))
    fit.message(campaign_screens.draft(language, CampaignDraft(LONG_NAME, codes, LONG_NAME[:64])))
    fit.message(campaign_screens.share_prompt(language, campaign, {}))
