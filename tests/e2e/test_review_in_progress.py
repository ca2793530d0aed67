"""A review in progress on every path that meets it, with each engine (issue #14): answering,
resuming, /start's Continue, starting a test or a campaign over it, asking for a review during a
test. A review is no adaptive measure of a competence: no engine is asked about it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from aiogram.methods import EditMessageReplyMarkup, EditMessageText

from content.bank import ContentBank
from tests.conftest import FakeClock
from tests.e2e.solver import answer, challenge_on_screen, finish
from tests.e2e.test_assessment import start_test
from tests.e2e.test_campaigns import create, register, take
from tests.telegram import ChatDriver, answered_notices, sent_texts

pytestmark = pytest.mark.usefixtures("engine")

APOLOGY = "Sorry, something went wrong"
REVIEW_BUTTON = re.compile(r"🔁 Review \((\d+)\)")


def no_apology(learner: ChatDriver) -> None:
    """Nothing failed: no apology, in a message or in a press's notice."""
    said = sent_texts(learner.sent) + answered_notices(learner.sent)
    assert not [text for text in said if text and APOLOGY in text]


async def come_back_with_reviews(learner: ChatDriver, bank: ContentBank, clock: FakeClock) -> int:
    """Take 1.1 with mistakes (right below level 3, wrong from it on), come back the next day
    and open the menu: the number of reviews due, as its button says."""
    await start_test(learner)
    asked = await finish(learner, bank, right_below=3)
    levels = {bank.skills[skill].level for skill in asked}
    assert min(levels) < 3 <= max(levels)  # challenges met right and missed
    clock.now += timedelta(days=1, hours=1)
    await learner.say("/start")
    [due] = [int(m.group(1)) for b in learner.live_buttons() if (m := REVIEW_BUTTON.match(b))]
    return due


def review_progress(learner: ChatDriver) -> str:
    """The review challenge on screen: its progress, "index/total" (a review's length is
    fixed when it starts, so it can say "2 of 3")."""
    text = learner.last_text
    assert "🔁 <b>Review</b> · 1.1" in text, text
    found = re.search(r"\nChallenge (\d+) of (\d+) · ▰*▱*\n", text)
    assert found is not None, text
    return f"{found.group(1)}/{found.group(2)}"


async def test_a_review_is_answered_to_its_end_its_progress_kept_on_each_challenge(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    due = await come_back_with_reviews(learner, bank, clock)
    assert due >= 2
    await learner.press("🔁 Review")
    for index in range(1, due + 1):
        assert review_progress(learner) == f"{index}/{due}"
        message_id = max(learner.messages)
        before = len(learner.sent)
        await answer(bank, learner, right=index % 2 == 1)
        # The answered challenge keeps the progress it was shown with.
        [edit] = [r for r in learner.sent[before:] if isinstance(r, EditMessageText)]
        assert edit.message_id == message_id and f"Challenge {index} of {due} · " in edit.text
        assert "Your answer:" in edit.text and ("Right!" in edit.text or "Not quite" in edit.text)
    right = (due + 1) // 2
    assert f"Review done</b>\n{right} of {due} right." in learner.last_text
    no_apology(learner)
    await learner.say("/start")
    assert not [b for b in learner.live_buttons() if "Continue" in b or "Review" in b]


async def test_a_review_left_midway_is_resumed_by_continue_review_or_an_answer(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    due = await come_back_with_reviews(learner, bank, clock)
    await learner.press("🔁 Review")
    await answer(bank, learner, right=True)
    pending = challenge_on_screen(bank, learner)
    assert review_progress(learner) == f"2/{due}"

    # /start offers to continue the review, not to start another.
    await learner.say("/start")
    buttons = learner.live_buttons()
    assert buttons[0] == f"▶️ Continue review · 2 of {due}"
    assert not [b for b in buttons if REVIEW_BUTTON.match(b)]
    await learner.press("Continue")
    assert challenge_on_screen(bank, learner) == pending and review_progress(learner) == f"2/{due}"
    # /review shows the same challenge again, and an odd message is answered sensibly.
    await learner.say("/review")
    assert challenge_on_screen(bank, learner) == pending and review_progress(learner) == f"2/{due}"
    [reply] = sent_texts(await learner.sticker())
    assert reply.startswith(("Tap one of the buttons", "I can only read text answers"))

    # Its answer (a press or typed text, whatever the challenge) goes on with the review.
    await answer(bank, learner, right=True)
    assert any("Right!" in text for text in learner.screen()[-3:])
    await finish(learner, bank, right_below=9)
    assert f"{due} of {due} right." in learner.last_text
    no_apology(learner)


async def test_a_test_started_during_a_review_closes_the_review_and_runs(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    due = await come_back_with_reviews(learner, bank, clock)
    await learner.press("🔁 Review")
    review_message = max(learner.messages)
    await learner.say("/test")
    await learner.press("4 ·")
    requests = await learner.press("4.1")
    # The review's challenge loses its buttons; the test starts.
    closed = [r for r in requests if isinstance(r, EditMessageReplyMarkup)]
    assert [r.message_id for r in closed if r.reply_markup is None] == [review_message]
    assert "<b>4.1 " in learner.last_text and "Challenge 1 · " in learner.last_text
    await answer(bank, learner, right=True)
    assert "Challenge 2 · " in learner.last_text or "Test finished" in learner.last_text
    # The reviews wait for the test to end.
    assert "finish it first" in sent_texts(await learner.say("/review"))[0]
    await learner.press("Continue the test")
    await finish(learner, bank, right_below=9)
    await learner.say("/start")
    assert f"🔁 Review ({due})" in learner.live_buttons()
    no_apology(learner)


async def test_a_campaign_test_started_during_a_review_closes_the_review_and_runs(
    telegram: Callable[..., ChatDriver], bank: ContentBank, clock: FakeClock
) -> None:
    educator = telegram(user_id=5001, first_name="Grace")
    await register(educator)
    code = await create(educator, "Week 48", ["4.1"])
    learner = telegram()
    await come_back_with_reviews(learner, bank, clock)
    await learner.press("🔁 Review")
    review_message = max(learner.messages)
    await learner.say(f"/join {code}")
    requests = await learner.press("I agree")
    closed = [r for r in requests if isinstance(r, EditMessageReplyMarkup)]
    assert review_message in [r.message_id for r in closed if r.reply_markup is None]
    assert any("Test: 4.1" in text for text in sent_texts(requests))
    await take(learner, bank)
    assert "Share your results with Grace?" in learner.last_text
    no_apology(learner)
