"""What learners tell the authors, and what corrections tell learners: "⚠️ Report a problem"
under every correction (reasons, a short text or Cancel, one report per learner and question,
erased with the learner), typed answers marked wrong counted without who typed them, and
corrections that name the letters the learner saw and mark each field."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiogram.methods import EditMessageText
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import main
from bot.core.callbacks import new_token
from bot.core.conversation import Conversation
from bot.core.ports import Attempt
from tests.conftest import FIXTURES, FakeClock
from tests.e2e.test_own_data import my_data
from tests.telegram import ChatDriver, answered_notices, buttons_of, sent_texts

REPORT = "⚠️ Report a problem"


@pytest.fixture
def pixbot_content(
    database: AsyncEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Any]:
    """``await pixbot_content("reports")``: `pixbot content ...` --json on this test's
    database and bank, its document."""
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CONTENT_PATH", str(FIXTURES / "content"))

    async def run(*args: str) -> Any:
        capsys.readouterr()
        code = await asyncio.to_thread(main, ["content", *args, "--json"])
        out = capsys.readouterr().out
        assert code == 0, out
        return json.loads(out)

    return run


async def serve(
    conversation: Conversation,
    clock: FakeClock,
    learner: ChatDriver,
    challenge_id: str,
    order: list[int] | None = None,
) -> None:
    """The learner's test on 1.1 shows ``challenge_id`` (its options in ``order``)."""
    await learner.say("/start")
    async with conversation.stores() as store:
        user = learner.user.id
        assessment = await store.add_assessment(user, "1.1", "irt", 7, clock())
        attempt = Attempt(0, new_token(), assessment.id, user, challenge_id, 1, "en", order or [])
        await store.add_attempt(attempt, clock())
        await store.commit()
    await learner.say("/start")
    await learner.press("Continue")


def correction(learner: ChatDriver) -> str:
    return next(t for t in reversed(learner.screen()) if "The answer:" in t)


async def test_a_report_is_stored_per_question_and_a_second_one_updates_it(
    learner: ChatDriver,
    conversation: Conversation,
    clock: FakeClock,
    pixbot_content: Callable[..., Any],
) -> None:
    await serve(conversation, clock, learner, "alpha-1a", [1, 0, 2])
    await learner.press("wrong alpha1")
    # Shown in the order [1, 0, 2]: A) wrong alpha1, B) right alpha1, C) other.
    corrected = max(m for m, v in learner.messages.items() if "The answer:" in v["text"])
    assert "The answer: <b>B) right alpha1</b>" in learner.messages[corrected]["text"]
    buttons = [b.text for b in buttons_of(learner.messages[corrected]["markup"])]
    assert buttons == ["💾 Save", REPORT]
    requests = await learner.press(REPORT, corrected)
    [reasons] = sent_texts(requests)
    assert "Report a problem" in reasons and "Which lamp on the alpha panel is lit?" in reasons
    assert learner.live_buttons() == [
        "The expected answer is wrong",
        "The question is unclear",
        "A typo or a mistake in the text",
        "Something else…",
        "Cancel",
    ]
    requests = await learner.press("The question is unclear")
    [thanks] = [r for r in requests if isinstance(r, EditMessageText)]
    assert "Thank you! Your report goes to the authors" in thanks.text
    assert thanks.reply_markup is None

    listed = await pixbot_content("reports")
    [entry] = listed["challenges"]
    assert entry["id"] == "alpha-1a" and entry["reports"] == 1
    assert entry["location"].endswith("competences/1.1.yaml:45")
    assert entry["reasons"] == {"key": 0, "unclear": 1, "typo": 0, "other": 0}

    # The same learner again, another reason: their report changes, it is not a second one.
    await learner.press(REPORT, corrected)
    await learner.press("The expected answer is wrong")
    [entry] = (await pixbot_content("reports"))["challenges"]
    assert entry["reports"] == 1 and entry["languages"] == {"en": 1}
    assert entry["reasons"] == {"key": 1, "unclear": 0, "typo": 0, "other": 0}
    # Cancel under the reasons reports nothing.
    await learner.press(REPORT, corrected)
    requests = await learner.press("Cancel")
    assert [r.text for r in requests if isinstance(r, EditMessageText)] == [
        "Report cancelled: nothing was sent."
    ]
    [row] = (await my_data(learner))["challenge_reports"]
    assert (row["challenge_id"], row["reason"], row["text"]) == ("alpha-1a", "key", None)


async def test_something_else_waits_for_a_short_text_or_a_cancel(
    learner: ChatDriver,
    conversation: Conversation,
    clock: FakeClock,
    pixbot_content: Callable[..., Any],
) -> None:
    await serve(conversation, clock, learner, "alpha-1b")
    await learner.say("the door code")
    await learner.press(REPORT)
    requests = await learner.press("Something else")
    [asked] = [r for r in requests if isinstance(r, EditMessageText)]
    assert "Say what is wrong in a few words (at most 300 characters)" in asked.text
    assert learner.live_buttons() == ["Cancel"]
    # Too long: said, and the text is still awaited.
    [too_long] = sent_texts(await learner.say("x" * 301))
    assert "That is too long: at most 300 characters" in too_long
    requests = await learner.press("Cancel")
    assert [r.text for r in requests if isinstance(r, EditMessageText)] == [
        "Report cancelled: nothing was sent."
    ]
    assert (await pixbot_content("reports"))["challenges"] == []
    # Typed text after a cancel is no report (it goes to the test).
    assert not [t for t in sent_texts(await learner.say("hello")) if "Thank you" in t]

    await learner.press(REPORT)
    await learner.press("Something else")
    [thanks] = sent_texts(await learner.say("  The door is called a gate in the picture.  "))
    assert "Thank you! Your report goes to the authors" in thanks
    [entry] = (await pixbot_content("reports"))["challenges"]
    assert entry["reasons"]["other"] == 1
    assert entry["examples"] == ["The door is called a gate in the picture."]
    # Its Cancel, pressed once the text was sent, only closes.
    requests = await learner.press("Cancel")
    assert answered_notices(requests) == ["This question is closed."]
    assert (await pixbot_content("reports"))["reports"] == 1


async def test_erasure_takes_the_reports_and_leaves_the_anonymous_rejected_answers(
    telegram: Callable[..., ChatDriver],
    conversation: Conversation,
    clock: FakeClock,
    pixbot_content: Callable[..., Any],
) -> None:
    ada, bea = telegram(user_id=4001, first_name="Ada"), telegram(user_id=4002, first_name="Bea")
    for learner in (ada, bea):
        await serve(conversation, clock, learner, "alpha-1b")
        await learner.say("  ans 1 ")
    await ada.press(REPORT)
    await ada.press("A typo")
    mine = await my_data(ada)
    assert [r["challenge_id"] for r in mine["challenge_reports"]] == ["alpha-1b"]
    assert "rejected_answers" not in mine  # counted without who typed them
    assert "Answers typed and marked wrong are also counted" in ada.last_text

    await ada.say("/deleteme")
    await ada.press("Yes, erase everything")
    assert (await pixbot_content("reports"))["challenges"] == []
    rejected = await pixbot_content("rejected", "--min-count", "2")
    [entry] = rejected["challenges"]
    assert entry["id"] == "alpha-1b" and entry["rejected"] == 2
    assert entry["location"].endswith("competences/1.1.yaml:63")
    [answer] = entry["answers"]
    assert answer == {
        "language": "en",
        "field": 0,
        "label": None,
        "answer": "ans 1",
        "count": 2,
        "last_seen": "2026-11-25",
        "distance": 3,  # "ans1" and "answer1", once T1 and T2 have treated both
        "nearest": "answer1",
    }
    assert (await pixbot_content("rejected", "--min-count", "3"))["challenges"] == []


async def test_multiple_choice_corrections_use_the_letters_the_learner_saw(
    learner: ChatDriver, conversation: Conversation, clock: FakeClock
) -> None:
    # alpha-5b: "yes one", "no two", "yes three"; the first and the third are right.
    await serve(conversation, clock, learner, "alpha-5b", [2, 1, 0])
    await learner.press("no two")
    await learner.press("yes one")
    await learner.press("Submit")
    text = correction(learner)
    assert "The answer: \n• <b>A) yes three</b>\n• <b>C) yes one</b>" in text
    assert "Ticked but wrong: B" in text and "Right but not ticked: A" in text
    answered = next(v["text"] for v in learner.messages.values() if "Your answer:" in v["text"])
    assert "Your answer: B) no two; C) yes one" in answered


async def test_each_field_is_marked_and_a_right_number_in_other_words_is_explained(
    learner: ChatDriver,
    conversation: Conversation,
    clock: FakeClock,
    pixbot_content: Callable[..., Any],
) -> None:
    # alpha-3b: First 12, Second 3.5 (numbers).
    await serve(conversation, clock, learner, "alpha-3b")
    await learner.say("about 12\n3.5")
    text = correction(learner)
    assert (
        "❌ First: <b>12</b> (your answer: about 12; only the number was expected)\n"
        "✅ Second: <b>3.5</b>"
    ) in text
    [entry] = (await pixbot_content("rejected"))["challenges"]
    [answer] = entry["answers"]
    assert (answer["field"], answer["label"], answer["answer"]) == (1, "First", "about 12")
