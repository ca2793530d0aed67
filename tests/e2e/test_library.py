"""The cybersecurity tips library: browse by topic, audience and level, search by keyword in
the learner's language, share a tip anywhere (inline mode, a deep link) and send it to a group
the learner administers, through the delivery engine."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aiogram import Bot
from aiogram.methods import AnswerInlineQuery, EditMessageText, SendMessage
from aiogram.types import InlineQuery, Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.core.library.shelves import deep_link, tip_ref
from bot.serving.admins import AdminCache
from content.loader import load_bank
from storage.database import session_factory
from storage.delivery import DeliveryRow
from storage.groups import GroupAdminRow
from tests.conftest import FakeClock
from tests.e2e.test_groups import deliver_due, membership
from tests.telegram import (
    BOT_USERNAME,
    ChatDriver,
    RecordingSession,
    answered_notices,
    api_bot,
    assert_valid_html,
    buttons_of,
    sent_texts,
)
from tests.virtual_time import VirtualTime

GROUP = -1001234567890
ADMIN, OTHER = 601, 602
_inline_ids = itertools.count(1)


def button(driver: ChatDriver, label: str) -> object:
    for mid in sorted(driver.messages, reverse=True):
        for found in buttons_of(driver.messages[mid]["markup"]):
            if label in found.text:
                return found
    raise AssertionError(f"no button {label!r}; live: {driver.live_buttons()}")


def edits(requests: list[object]) -> list[EditMessageText]:
    return [r for r in requests if isinstance(r, EditMessageText)]


async def test_browse_by_topic_audience_and_level_page_by_page(learner: ChatDriver) -> None:
    [home] = sent_texts(await learner.say("/library"))
    assert "Cybersecurity tips library" in home and "8 short tips" in home
    assert learner.live_buttons() == [
        "passwords (2)",
        "phishing (6)",
        "📚 All topics (8)",
        "🔎 Search",
        "⬅️ Menu",
    ]
    await learner.press("phishing (6)")
    assert "Who is it for?" in learner.last_text
    assert learner.live_buttons() == [
        "Any audience (6)",
        "everyone (3)",
        "pupils (4)",  # an audience's shelf: its own tips and those for everyone (issue 20)
        "educators (5)",
        "⬅️ Back",
    ]
    await learner.press("everyone (3)")
    assert "phishing · for everyone" in learner.last_text and "Which level?" in learner.last_text
    assert "basic" not in " ".join(learner.live_buttons())  # no basic tip for everyone here
    requests = await learner.press("Any level (3)")
    [card] = edits(requests)
    page = card.message_id
    assert "<b>Urgency is a red flag</b>" in card.text and "— 1/3" in card.text
    assert 'Source: <a href="https://example.org/tip">Example</a>' in card.text
    assert learner.live_buttons() == [
        "Next ▶️",
        "📤 Share",
        "👥 Send to my group",
        "📚 Topics",
        "🔎 Search",
    ]
    # The shelf (phishing = topic 2, everyone, any level) and the position are in the data.
    assert learner.find_button("Next")[1] == "lib:v.2ex.1"
    share = button(learner, "Share")
    link = f"https://t.me/{BOT_USERNAME}?start=tip_ph-urgency"
    assert share.url == (  # type: ignore[attr-defined]
        "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fpixbot_test_bot%3Fstart%3Dtip_ph-urgency"
        "&text=Urgency%20is%20a%20red%20flag"
    )
    assert parse_qs(urlparse(share.url).query)["url"] == [link]  # type: ignore[attr-defined]

    [second] = edits(await learner.press("Next ▶️"))
    assert second.message_id == page  # edited in place
    assert "Read the sender's real address" in second.text and "— 2/3" in second.text
    [third] = edits(await learner.press("Next ▶️"))
    assert "QR codes" in third.text and "— 3/3" in third.text
    assert "Next ▶️" not in learner.live_buttons()
    [back] = edits(await learner.press("◀️ Previous"))
    assert back.message_id == page and "— 2/3" in back.text

    await learner.press("📚 Topics")
    await learner.press("phishing (6)")
    await learner.press("educators (5)")
    assert learner.live_buttons()[:4] == [
        "Any level (5)",
        "basic (1)",
        "intermediate (1)",
        "advanced (2)",
    ]
    [first] = edits(await learner.press("advanced (2)"))
    assert "Read the sender's real address" in first.text and "— 1/2" in first.text
    [only] = edits(await learner.press("Next ▶️"))
    assert "Phishing drills for the staff room" in only.text and "— 2/2" in only.text
    assert "Next ▶️" not in learner.live_buttons()


async def test_a_stale_or_forged_position_is_handled(learner: ChatDriver) -> None:
    await learner.say("/library")
    home = max(learner.messages)
    [card] = edits(await learner.press_data("lib:v.2ex.99", home))
    assert "— 3/3" in card.text  # clamped to the last tip
    requests = await learner.press_data("lib:v.zzz.0", home)
    assert answered_notices(requests) == ["This button is out of date: send /library."]
    assert not edits(requests)
    requests = await learner.press_data("lib:s.-100.0123456789", home)  # no such tip
    assert answered_notices(requests) == ["This button is out of date: send /library."]


async def test_french_reads_french_and_swedish_reads_english_with_a_swedish_interface(
    telegram: Callable[..., ChatDriver],
) -> None:
    french = telegram(user_id=1201, language="fr")
    await french.say("/library")
    assert "Bibliothèque de conseils en cybersécurité" in french.last_text
    await french.press("hameçonnage (6)")
    await french.press("Tous publics")
    [card] = edits(await french.press("Tous niveaux"))
    assert "Enseigner l'hameçonnage avec de vrais exemples" in card.text
    assert "Source\u202f:" in card.text and "Suivant ▶️" in french.live_buttons()

    swedish = telegram(user_id=1202, language="sv")
    await swedish.say("/library")
    await swedish.press("📚 Alla ämnen (8)")
    await swedish.press("Alla målgrupper")
    [card] = edits(await swedish.press("Alla nivåer"))
    assert "<b>One</b>" in card.text and "Källa" in card.text  # English tip, Swedish labels
    assert "Nästa ▶️" in swedish.live_buttons()


async def test_search_ranks_title_matches_first_and_ignores_accents(
    telegram: Callable[..., ChatDriver],
) -> None:
    learner = telegram(user_id=1301)
    [found] = sent_texts(await learner.say("/library phishing"))
    assert "Tips for “phishing”: 6" in found
    lines = found.splitlines()
    assert lines[1].startswith("1. Teach phishing with real examples")
    assert lines[2].startswith("2. Phishing drills for the staff room")
    assert lines[3].startswith("3. Urgency is a red flag")  # "phishing" in its text
    [prefix] = sent_texts(await learner.say("/library PHISH"))
    assert prefix.splitlines()[1:3] == lines[1:3]

    requests = await learner.press("1. Teach phishing")
    [card] = sent_texts(requests)  # a new message, the results stay
    assert "<b>Teach phishing with real examples</b>" in card

    [nothing] = sent_texts(await learner.say("/library zebra crossing"))
    assert "No tip matches “zebra crossing”" in nothing
    assert "phishing (6)" in learner.live_buttons()  # topics to browse instead

    await learner.press("🔎 Search")
    assert "Type a few words" in learner.last_text
    [typed] = sent_texts(await learner.say("password"))
    assert "Tell an adult, report the message" in typed  # "password" in the text
    assert "1. One" in typed  # the passwords topic (a prefix of its name)
    [menu] = sent_texts(await learner.say("password"))  # the search was answered: menu again
    assert "Tips for" not in menu

    french = telegram(user_id=1302, language="fr")
    [trouve] = sent_texts(await french.say("/library hameconnage"))
    assert "Conseils pour «\u202fhameconnage\u202f»\u202f: 6" in trouve
    titles = trouve.splitlines()[1:3]
    assert titles[0].startswith("1. Enseigner l'hameçonnage")
    assert titles[1].startswith("2. Hameçonnage, exercices en salle des profs")
    [accent] = sent_texts(await french.say("/library EXPÉDITEUR"))
    assert "Lisez la vraie adresse de l'expéditeur" in accent


async def inline(driver: ChatDriver, query: str, offset: str = "") -> AnswerInlineQuery:
    update = Update(
        update_id=next(_inline_ids) + 950000,
        inline_query=InlineQuery(
            id=str(next(_inline_ids)), from_user=driver.user, query=query, offset=offset
        ),
    )
    [answer] = [r for r in await driver.feed(update) if isinstance(r, AnswerInlineQuery)]
    return answer


async def test_inline_query_answers_matching_tips(telegram: Callable[..., ChatDriver]) -> None:
    learner = telegram(user_id=1401)
    await learner.say("/start")  # the bot's username is known from then on
    answer = await inline(learner, "phish")
    ids = [r.id for r in answer.results]
    assert ids[:2] == ["ph-teach-real-examples", "ph-phishing-drill"] and len(ids) == 6
    assert answer.next_offset == "" and answer.cache_time == 300
    first = answer.results[0]
    assert first.title == "Teach phishing with real examples"  # type: ignore[union-attr]
    assert first.description.startswith("Show your class")  # type: ignore[union-attr]
    text = first.input_message_content.message_text  # type: ignore[union-attr]
    assert_valid_html(text)
    assert "<b>Teach phishing with real examples</b>" in text and "example.org/tip" in text
    assert "?start=tip_ph-teach-real-examples" in text

    french = telegram(user_id=1402, language="fr-CA")
    answer = await inline(french, "hameconnage")
    assert answer.results[0].title == "Enseigner l'hameçonnage avec de vrais exemples"  # type: ignore[union-attr]
    assert len((await inline(french, "")).results) == 8  # an empty query lists tips


async def test_inline_results_page_through_the_shipped_library(
    make_conversation: Callable[..., Conversation],
    make_runtime: Callable[..., Awaitable[Any]],
    session: RecordingSession,
    bot: Bot,
) -> None:
    bank = load_bank()
    conversation = make_conversation(bank=bank)
    learner = ChatDriver(await make_runtime(conversation), bot, session, user_id=1501)
    await learner.say("/start")
    seen: list[str] = []
    offset, offsets = "", []
    while True:  # an empty query pages through the whole library
        answer = await inline(learner, "", offset)
        assert len(answer.results) == 10 or not answer.next_offset
        seen += [r.id for r in answer.results]
        offsets.append(answer.next_offset)
        if not answer.next_offset:
            break
        offset = answer.next_offset
    assert offsets[:3] == ["10", "20", "30"] and offsets[-1] == ""
    assert sorted(seen) == sorted(tip.id for tip in bank.tips)
    phishing = await inline(learner, "phishing")
    assert len(phishing.results) == 10 and phishing.next_offset == "10"
    assert all("phishing" in r.title.lower() for r in phishing.results[:3])  # type: ignore[union-attr]
    for tip in bank.tips:  # every tip fits Telegram's limits, in both languages
        link = deep_link(BOT_USERNAME, tip.id)
        assert link is not None and len(link.split("start=")[1]) <= 64
        assert len(tip.id.encode()) <= 64 and len(f"lib:g.{tip.id}") <= 64
        for language in ("en", "fr"):
            result = conversation.library_views.inline_result(language, tip, BOT_USERNAME)
            assert_valid_html(result.text)


async def test_deep_link_opens_the_tip(telegram: Callable[..., ChatDriver]) -> None:
    learner = telegram(user_id=1601)
    [card] = sent_texts(await learner.say("/start tip_ph-report"))
    assert "<b>Tell an adult, report the message</b>" in card
    assert "phishing · for pupils · intermediate" in card
    assert "👥 Send to my group" in learner.live_buttons()
    # This tip has a source in English: an English reader is sent there, a French one to the
    # tip's own (issue 18: English tips cite English-language sources).
    assert 'Source: <a href="https://example.org/en/tip">Example in English</a>' in card
    french = telegram(user_id=1602, language="fr")
    [carte] = sent_texts(await french.say("/start tip_ph-report"))
    assert 'Source\u202f: <a href="https://example.org/tip">Example</a>' in carte
    [gone] = sent_texts(await learner.say("/start tip_no-such-tip"))
    assert "no longer in the library" in gone
    [welcome] = sent_texts(await learner.say("/start go"))  # other payloads: the usual welcome
    assert welcome == sent_texts(await learner.say("/start"))[0]


async def test_send_to_my_group_for_administrators_only(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    in_group = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup")
    # The admin check as the runtime connects it at start, asking Telegram each time.
    conversation.admins.connect(partial(AdminCache(ttl=0).is_admin, api_bot(in_group)))
    session.admins.add((GROUP, ADMIN))
    await in_group.feed(membership(in_group, joined=True))  # the admin adds the bot

    other = telegram(user_id=OTHER)
    await other.say("/start tip_ph-urgency")
    [none] = sent_texts(await other.press("Send to my group"))
    assert "no group that you administer" in none
    add = button(other, "Add me to a group")
    assert add.url == f"https://t.me/{BOT_USERNAME}?startgroup=library"  # type: ignore[attr-defined]
    # A forged button from someone who does not administer the group: refused.
    data = f"lib:s.{GROUP}.{tip_ref('ph-urgency')}"
    requests = await other.press_data(data, max(other.messages))
    assert answered_notices(requests) == ["Only the group's administrators can do that."]

    admin = telegram(user_id=ADMIN)
    await admin.say("/start tip_ph-urgency")
    [choose] = sent_texts(await admin.press("Send to my group"))
    assert "Send “Urgency is a red flag” to which group?" in choose
    assert admin.live_buttons() == ["👥 Class 5B", "⬅️ Back"]
    listed, data = admin.find_button("Class 5B")
    requests = await admin.press_data(data, listed)
    assert answered_notices(requests) == ["Sent to the group."]
    assert "will be posted in Class 5B" in edits(requests)[0].text
    requests = await admin.press_data(data, listed)  # a double tap
    assert answered_notices(requests) == ["Already sent to this group today."]

    async with session_factory(database)() as db:
        rows = (await db.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == GROUP))).all()
    assert [(r.kind, r.dedupe_key) for r in rows] == [
        ("tip", "libtip:-1001234567890:ph-urgency:2026-11-25")
    ]
    assert "<b>Urgency is a red flag</b>" in rows[0].payload["text"]

    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    posted = [
        r
        for r in await deliver_due(admin, conversation, database, clock)
        if isinstance(r, SendMessage)
    ]
    assert [p.chat_id for p in posted] == [GROUP] and "Urgency is a red flag" in posted[0].text

    # No longer an administrator: Telegram is asked again, nothing is enqueued.
    session.admins.discard((GROUP, ADMIN))
    await admin.say("/start tip_ph-report")
    await admin.press("Send to my group")
    requests = await admin.press("Class 5B")
    assert answered_notices(requests) == ["Only the group's administrators can do that."]
    async with session_factory(database)() as db:
        count = len((await db.scalars(select(DeliveryRow))).all())
        left = (await db.scalars(select(GroupAdminRow))).all()
    assert count == 1 and left == []  # and the stale record is forgotten


async def test_admins_seen_in_a_group_are_remembered(
    telegram: Callable[..., ChatDriver], session: RecordingSession, database: AsyncEngine
) -> None:
    pupil = telegram(user_id=OTHER, chat_id=GROUP, chat_type="supergroup")
    await pupil.feed(membership(pupil, joined=True))  # a member added the bot
    teacher = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup")
    session.admins.add((GROUP, ADMIN))
    await teacher.say("/groupsettings")
    async with session_factory(database)() as db:
        seen = {(r.chat_id, r.user_id) for r in (await db.scalars(select(GroupAdminRow))).all()}
    assert seen == {(GROUP, ADMIN)}  # the member who added the bot administers nothing
    await pupil.feed(membership(pupil, joined=False))  # removed: the group is not offered
    admin = telegram(user_id=ADMIN)
    await admin.say("/start tip_ph-report")
    [none] = sent_texts(await admin.press("Send to my group"))
    assert "no group that you administer" in none


@pytest.fixture
async def shipped(
    make_conversation: Callable[..., Conversation],
    make_runtime: Callable[..., Awaitable[Any]],
    session: RecordingSession,
    bot: Bot,
    limits_time: VirtualTime,
) -> Callable[..., ChatDriver]:
    """People in private chats with the bot on the shipped bank (every tip)."""
    dispatcher = await make_runtime(make_conversation(bank=load_bank()))
    return partial(ChatDriver, dispatcher, bot, session, time=limits_time)


async def test_more_pages_through_a_searchs_results(
    shipped: Callable[..., ChatDriver],
) -> None:
    learner = shipped(user_id=1701)
    [first] = sent_texts(await learner.say("/library password"))
    total = int(first.splitlines()[0].split(": ")[1].removesuffix("</b>"))
    assert total > 16
    assert first.splitlines()[1].startswith("1. ") and f"<i>1–8 of {total}</i>" in first
    assert learner.live_buttons()[-3:] == ["More ▶️", "🔎 New search", "📚 Topics"]
    [second] = edits(await learner.press("More ▶️"))  # in place of the first page
    lines = second.text.splitlines()
    assert lines[0] == first.splitlines()[0] and lines[1].startswith("9. ")
    assert f"<i>9–16 of {total}</i>" in second.text
    assert learner.live_buttons()[8:10] == ["◀️ Previous", "More ▶️"]
    assert learner.live_buttons()[0].startswith("9. ")
    [back] = edits(await learner.press("◀️ Previous"))
    assert back.text == first
    while "More ▶️" in learner.live_buttons():  # to the last page
        [page] = edits(await learner.press("More ▶️"))
    assert f"–{total} of {total}</i>" in page.text
    assert learner.live_buttons()[-3:] == ["◀️ Previous", "🔎 New search", "📚 Topics"]

    # More than a button can carry (its words joined: 55 characters, 43 fit): no "More".
    long = "password manager for the whole staff room of the school"
    [shown] = sent_texts(await learner.say(f"/library {long}"))
    assert "A shorter search shows the others." in shown
    assert "More ▶️" not in learner.live_buttons()


@pytest.mark.parametrize(
    ("language", "query", "header", "found"),
    [
        ("en", "arnaque", "Tips for “arnaque”", "scam"),  # a French word in English tips
        ("en", "sms", "Tips for “sms”", "message"),
        ("fr", "scam", "Conseils pour «\u202fscam\u202f»", "arnaque"),
        ("fr", "phishing", "Conseils pour «\u202fphishing\u202f»", "hameçonnage"),
        ("fr", "password", "Conseils pour «\u202fpassword\u202f»", "mot de passe"),
    ],
)
async def test_search_finds_synonyms_in_both_languages(
    shipped: Callable[..., ChatDriver],
    language: str,
    query: str,
    header: str,
    found: str,
) -> None:
    person = shipped(user_id=1702, language=language)
    [results] = sent_texts(await person.say(f"/library {query}"))
    assert results.startswith("🔎 <b>" + header)
    titles = results.lower().splitlines()[1:9]
    assert sum(found in title for title in titles) >= 2, titles


async def test_a_tip_holding_more_of_the_searchs_words_comes_first(
    shipped: Callable[..., ChatDriver],
) -> None:
    """Every word counts: "sms gift card" puts the tip about gift cards asked for by text
    message before those about either alone, whatever words they use."""
    person = shipped(user_id=1703)
    [results] = sent_texts(await person.say("/library sms gift card"))
    assert results.splitlines()[1].startswith("1. Your manager never needs gift cards by text")
    french = shipped(user_id=1704, language="fr")
    [resultats] = sent_texts(await french.say("/library texto carte cadeau"))
    assert "cartes cadeaux par SMS" in resultats.splitlines()[1]
