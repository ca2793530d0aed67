"""Bad input never leaves anyone stuck (issue #14), through the real dispatcher: over-long text
gets a message saying so, NUL and other control characters are cleaned before anything is
stored (on SQLite and PostgreSQL), forged numbers in button data and inline offsets get the
"closed" answer and an INFO line, and a right-to-left override in a name stays inside it."""

from __future__ import annotations

import csv
import io
import itertools
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery, SendDocument
from aiogram.types import PollAnswer, Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.core.library.shelves import tip_ref
from bot.core.text import FSI, PDI
from content.bank import ContentBank
from content.models import ChallengeType
from storage.campaigns import CampaignRow
from storage.database import session_factory
from storage.models import AnswerRow, UserRow
from tests.conftest import FakeClock
from tests.e2e.solver import challenge_on_screen
from tests.e2e.test_assessment import start_test
from tests.e2e.test_campaigns import create, register
from tests.e2e.test_chat_input import walk_to
from tests.e2e.test_groups import membership
from tests.e2e.test_library import inline
from tests.telegram import (
    PACE,
    ChatDriver,
    RecordingSession,
    answered_notices,
    edited_texts,
    sent_texts,
)
from tests.virtual_time import VirtualTime

GROUP = -1001234567890
ADMIN, PUPIL = 7501, 7502
EXAMPLES = int(os.environ.get("FORGED_EXAMPLES", "150"))
_update_ids = itertools.count(7_000_000)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# --- 4: every free text has a length cap, with a message -------------------------------------


async def test_an_overlong_library_search_is_refused_and_the_next_text_is_the_search(
    learner: ChatDriver,
) -> None:
    [refused] = sent_texts(await learner.say("/library " + "phishing " * 450))
    assert refused == "🔎 That search is too long: type at most 200 characters."
    [found] = sent_texts(await learner.say("phishing"))
    assert "Tips for “phishing”: 6" in found
    await learner.press("New search")
    [refused] = sent_texts(await learner.say("x" * 201))
    assert "That search is too long" in refused
    [found] = sent_texts(await learner.say("x" * 200))  # at the limit: searched
    assert "No tip matches" in found


async def test_an_overlong_typed_answer_is_refused_and_the_challenge_stays_open(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.TEXT, clock)
    challenge = challenge_on_screen(bank, learner)
    [refused] = sent_texts(await learner.say("y" * 501))
    assert refused == "That answer is too long: type at most 500 characters, or tap Skip."
    requests = await learner.say(challenge.text("en").accept[0])
    assert "✅ Right!" in edited_texts(requests)[0]


# --- 8: NUL and control characters never reach the database -----------------------------------


async def test_a_name_with_nul_starts_takes_a_test_and_types_answers_with_nul(
    telegram: Callable[..., ChatDriver], bank: ContentBank, clock: FakeClock, database: AsyncEngine
) -> None:
    ada = telegram(user_id=7001, first_name="A\x00da")
    [hello] = sent_texts(await ada.say("/start"))
    assert "Hello Ada! I'm pixbot." in hello
    await start_test(ada)
    await walk_to(ada, bank, ChallengeType.TEXT, clock)
    word = challenge_on_screen(bank, ada).text("en").accept[0]
    requests = await ada.say(word[:1] + "\x00" + word[1:] + "\x07")
    assert "✅ Right!" in edited_texts(requests)[0]
    await walk_to(ada, bank, ChallengeType.FIELDS, clock)
    fields = challenge_on_screen(bank, ada).text("en").fields
    typed = "\r\n".join(f"\x00{field.accept[0]}\x1b" for field in fields)  # one line each
    requests = await ada.say(typed)
    assert "✅ Right!" in edited_texts(requests)[0]

    async with session_factory(database)() as db:
        names = (await db.scalars(select(UserRow.first_name))).all()
        values = (await db.scalars(select(AnswerRow.value))).all()
    assert names == ["Ada"]
    assert values and not any("\x00" in value or "\x1b" in value for value in values)
    assert "\n".join(field.accept[0] for field in fields) in values  # the lines are kept


async def test_an_educator_creates_a_campaign_whose_name_has_nul(
    telegram: Callable[..., ChatDriver], database: AsyncEngine
) -> None:
    grace = telegram(user_id=7101, first_name="Gr\x00ace")
    await register(grace)
    code = await create(grace, "Class\x00 5B\x07", ["1.1"])
    assert "Campaign created: Class 5B" in grace.last_text
    listed = sent_texts(await grace.say("/campaign list"))[0]
    assert f"<code>{code}</code> Class 5B — 0 participants" in listed
    async with session_factory(database)() as db:
        names = (await db.scalars(select(CampaignRow.name))).all()
    assert names == ["Class 5B"]


# --- 9: forged numbers in button data and inline offsets ---------------------------------------


async def test_forged_numbers_get_the_closed_answer_and_an_info_line(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    learner = telegram(user_id=7201)
    await learner.say("/library")
    home = max(learner.messages)
    overflowing = f"lib:s.-99999999999999999999.{tip_ref('ph-urgency')}"
    requests = await learner.press_data(overflowing, home)
    assert answered_notices(requests) == ["This button is out of date: send /library."]
    assert "library button not ours from user 7201: 's.-99999999999999999999." in caplog.text

    answer = await inline(learner, "", offset="²")  # str.isdigit() says yes, int() says no
    assert answer.results == [] and answer.next_offset == ""
    assert "inline offset not ours from user 7201: '²'" in caplog.text

    admin = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup")
    session.admins.add((GROUP, ADMIN))
    await admin.say("/groupsettings")
    settings_message = max(admin.messages)
    for forged in (
        "grp:tz.²",
        "grp:tiph.٩",
        "grp:topic.99999999999999999999999",
        "grp:tz.-1",
        "grp:tiph.23",  # an hour outside 06:00-21:00
        "grp:pause.9",  # a pause not offered
        "grp:open.2",  # a quiz duration not offered
        "grp:aud.4",
        "grp:now.2",
    ):
        requests = await admin.press_data(forged, settings_message)
        assert answered_notices(requests) == ["This question is closed."], forged
    assert "group button not ours from user 7501: 'grp:tz.²'" in caplog.text
    assert errors(caplog) == []


BUTTON_KINDS = [
    "page:",
    "tz:",
    "hour:",
    "remind:",
    "opt:AAAAAAAAAAA:",
    "lib:v.2ex.",
    "lib:v.xxx.",
    "lib:s.-",
    "lib:s.",
    "lib:o.",
    "lib:g.",
    "grp:tz.",
    "grp:tiph.",
    "grp:quizh.",
    "grp:topic.",
    "grp:aud.",
    "grp:lvl.",
    "grp:open.",
    "grp:pause.",
    "grp:now.",
    "cmp:ok.",
    "cmp:t.",
    "comp:",
    "save:",
    "erase:",
]
# Digits of every kind (str.isdigit() accepts them all), signs and separators; and numbers too
# large for a database's integers.
numbers = st.one_of(
    st.text(alphabet="0123456789²³¹٣۴৫߀𝟘①-.", max_size=25),
    st.integers(2**52, 10**25).map(str),
)
REFS = [tip_ref(tip_id) for tip_id in ("pw-one", "ph-urgency")] + ["x"]
button_data = st.one_of(
    st.text(max_size=80),
    st.builds(str.__add__, st.sampled_from(BUTTON_KINDS), numbers),
    st.builds("lib:s.-{}.{}".format, numbers, st.sampled_from(REFS)),
)
offsets = st.one_of(st.text(max_size=20), numbers)


@pytest.fixture
async def forge_target(
    conversation: Conversation,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Bot,
    session: RecordingSession,
) -> tuple[Any, Bot, RecordingSession]:
    session.admins.add((GROUP, ADMIN))
    return await make_runtime(conversation), bot, session


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=button_data, where=st.sampled_from(["private", "group"]), offset=offsets)
async def test_any_button_data_or_inline_offset_is_answered_without_an_error(
    forge_target: tuple[Any, Bot, RecordingSession],
    limits_time: VirtualTime,
    caplog: pytest.LogCaptureFixture,
    data: str,
    where: str,
    offset: str,
) -> None:
    """The updates as the Bot API sends them (JSON), parsed by the runtime; a person's pace
    apart, so no press is dropped as a flood before it is read."""
    dispatcher, bot, session = forge_target
    caplog.clear()
    limits_time.now += PACE
    user = {"id": ADMIN, "is_bot": False, "first_name": "Ms Leroy", "language_code": "en"}
    chat = (
        {"id": ADMIN, "type": "private"}
        if where == "private"
        else {"id": GROUP, "type": "supergroup"}
    )
    message = {"message_id": 1, "date": 1_790_000_000, "chat": chat, "text": "x"}
    press = {"id": "q", "from": user, "chat_instance": "c", "data": data, "message": message}
    query = {"id": "i", "from": user, "query": "phish", "offset": offset}
    with caplog.at_level(logging.INFO, logger="bot"):
        await dispatcher.feed_raw_update(
            bot, {"update_id": next(_update_ids), "callback_query": press}
        )
        await dispatcher.feed_raw_update(
            bot, {"update_id": next(_update_ids), "inline_query": query}
        )
    requests = session.take()
    assert errors(caplog) == [], (data, offset)
    assert len([r for r in requests if isinstance(r, AnswerCallbackQuery)]) == 1, data
    assert len([r for r in requests if isinstance(r, AnswerInlineQuery)]) == 1, offset


# --- 11: a right-to-left override stays inside the name -----------------------------------------


async def test_a_right_to_left_override_in_a_name_stays_inside_it_on_the_leaderboard(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    bank: ContentBank,
) -> None:
    admin = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup", first_name="Ms Leroy")
    pupil = telegram(user_id=PUPIL, chat_id=GROUP, chat_type="supergroup", first_name="L\u202eéo")
    session.admins.add((GROUP, ADMIN))
    await admin.feed(membership(admin, joined=True))
    quiz = next(c for c in bank.challenges.values() if c.poll_eligible)
    right = min(quiz.right_indexes)
    await conversation.quiz_sent(GROUP, "poll-rtl", quiz.id, right)
    for driver, option in ((pupil, right), (admin, 1 - right)):
        answer = PollAnswer(
            poll_id="poll-rtl",
            option_ids=[option],
            option_persistent_ids=[str(option)],
            user=driver.user,
        )
        await driver.feed(Update(update_id=next(_update_ids), poll_answer=answer))
    [board] = sent_texts(await pupil.say("/leaderboard"))
    lines = board.splitlines()
    assert lines[1] == f"1. {FSI}Léo{PDI}: 1 of 1"  # the score is after the isolate
    assert lines[2] == "2. Ms Leroy: 0 of 1"  # a name that cannot reorder anything: as it is
    assert "\u202e" not in board


async def test_a_right_to_left_override_stays_inside_campaign_names_and_out_of_the_csv(
    telegram: Callable[..., ChatDriver],
) -> None:
    grace = telegram(user_id=7401, first_name="Grace")
    await register(grace)
    code = await create(grace, "5B \u202eevil", ["1.1"])
    rana = telegram(user_id=7402, first_name="Ra\u202ena")
    await rana.say(f"/join {code}")
    await rana.press("I agree")

    requests = await grace.say(f"/campaign results {code}")
    listed_class = sent_texts(requests)[0].splitlines()
    assert listed_class[0] == f"👥 Participants of <b>{FSI}5B evil{PDI}</b> (<code>{code}</code>)"
    assert listed_class[-1] == f"⏳ 1. {FSI}Rana{PDI} (0/1)"  # the status after the isolate
    listed = sent_texts(await grace.say("/campaign list"))[0]
    assert f"<code>{code}</code> {FSI}5B evil{PDI} — 1 participant · open" in listed
    [document] = [r for r in requests if isinstance(r, SendDocument)]
    data: Any = document.document
    rows = list(csv.reader(io.StringIO(data.data[3:].decode("utf-8")), delimiter=";"))
    assert rows[1][:3] == [code, "5B evil", "Rana #1"]  # the raw value, without bidi controls
