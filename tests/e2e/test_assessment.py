"""A learner takes a test in Telegram: what the chat receives at each step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
)

from bot.core.conversation import Conversation
from content.bank import ContentBank
from tests.e2e.solver import answer, challenge_on_screen, finish
from tests.telegram import (
    ChatDriver,
    RecordingSession,
    answered_notices,
    buttons_of,
    sent_texts,
)

# The level of a new test's first challenge on the fixture bank's 1.1 (two tubes of levels 1 to
# 5): Pix's smart random starts at level 2; IRT asks the most informative skill for its prior
# (mean level 3), drawn among those within its opening slack.
OPENING_LEVELS = {"smart-random": {2}, "irt": {3, 4}}
APOLOGY = "Sorry, something went wrong"


async def start_test(learner: ChatDriver, area: str = "1 ·", competence: str = "1.1") -> None:
    await learner.say("/start")
    await learner.press("Take a test")
    await learner.press(area)
    await learner.press(competence)


async def test_whole_test_from_start_to_level(
    learner: ChatDriver, bank: ContentBank, engine: str
) -> None:
    await start_test(learner)
    assert "Test: 1.1 Searching and monitoring information" in learner.messages[
        min(learner.messages)
    ]["text"] or any("Test: 1.1" in m["text"] for m in learner.messages.values())
    first = challenge_on_screen(bank, learner)
    assert first.level in OPENING_LEVELS[engine]
    # Honest progress: the rank and a bar of how sure the level is, never "N/N" before the end.
    assert "Challenge 1 · ▰" in learner.last_text or "Challenge 1 · ▱" in learner.last_text
    assert "/" not in learner.last_text.splitlines()[1]
    bars = []
    for number in range(2, 31):
        await answer(bank, learner, right=True)
        if "Test finished" in learner.last_text:
            break
        progress = learner.last_text.splitlines()[1]
        assert progress.startswith(f"Challenge {number} · ") and "▱" in progress  # full = end
        bars.append(progress.count("▰"))
    result = learner.last_text
    assert "Test finished: 1.1 Searching and monitoring information" in result
    # Everything right on two tubes of levels 1-5: all ten skills, 8 pix a level, level 5 of
    # the open 6, what level 5 means, a celebration for a first level, and the recap.
    assert "Level <b>5</b> of 6 · <b>40</b> of 48 pix" in result
    assert "<i>You use search operators and specialised engines" in result  # 1.1's level 5
    assert "🎉 Your first level in this competence: well done!" in result
    recap = result.split("<b>Your answers</b>\n")[1].split("\n\n")[0].splitlines()
    assert len(recap) == len(bars) + 1 and all(line.startswith("✅ ") for line in recap)
    assert "Skills validated:</b> Alpha (level 5), Beta (level 5)" in result
    assert "To work on" not in result and "🔥 Streak: 1 day" in result
    assert learner.live_buttons() == [
        "📣 Share my result",
        "🎯 Another competence",
        "📊 My profile",
        "⬅️ Menu",
    ]

    await learner.press("My profile")
    assert "1.1 Searching and monitoring information — level 5 of 6 · 40 pix" in learner.last_text


@pytest.mark.usefixtures("engine")
async def test_every_answer_is_corrected_and_a_mistake_brings_tutorials(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await start_test(learner)
    challenge = await answer(bank, learner, right=False)
    texts = learner.screen()
    correction = next(t for t in reversed(texts) if "Not quite" in t)
    # One message per challenge: the challenge became its answer and its correction.
    assert challenge.text("en").prompt in correction and "Your answer: " in correction
    assert not any("Not quite" in t for t in learner.texts())
    assert "The answer:" in correction
    assert challenge.text("en").explanation in correction
    assert "To succeed next time" in correction
    tube = challenge.tube
    assert f'<a href="https://example.org/en/{tube}">' in correction
    assert "Example Library · page · 5 min" in correction
    # The tutorial title is escaped, not interpreted as HTML.
    assert "&lt;now&gt; &amp; more" in correction

    await answer(bank, learner, right=True)
    right = next(t for t in reversed(learner.screen()) if "Right!" in t)
    assert "Streak" not in right  # the streak shows with the day's first result, not here
    assert "To succeed next time" not in right
    # Every correction, right or wrong, lets the learner report a problem with the question.
    for verdict, buttons in (("Not quite", ["💾 Save"]), ("Right!", [])):
        shown = max(m for m, v in learner.messages.items() if verdict in v["text"])
        labels = [b.text for b in buttons_of(learner.messages[shown]["markup"])]
        assert labels == [*buttons, "⚠️ Report a problem"]


@pytest.mark.usefixtures("engine")
async def test_answered_buttons_are_removed_and_the_answer_shown(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await start_test(learner, "4 ·", "4.1")  # single-choice challenges only: answered by a press
    challenge_message = max(learner.messages)
    before = len(learner.sent)
    await answer(bank, learner, right=False)
    requests = learner.sent[before:]
    edits = [r for r in requests if isinstance(r, EditMessageText)]
    assert edits and edits[-1].message_id == challenge_message
    # The challenge message becomes the answer and its correction, with the correction's
    # buttons; the challenge's own buttons are gone.
    labels = [b.text for b in buttons_of(edits[-1].reply_markup)]
    assert labels == ["💾 Save", "⚠️ Report a problem"]
    assert "Your answer: " in edits[-1].text and "Not quite" in edits[-1].text
    assert [t for t in sent_texts(requests) if "Not quite" in t] == []
    presses = [r for r in requests if isinstance(r, AnswerCallbackQuery)]
    assert presses and all(p.text is None for p in presses)  # every press answered


@pytest.mark.usefixtures("engine")
async def test_multiple_choice_shows_the_selection_then_submits(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await learner.say("/start")
    await learner.press("Take a test")
    await learner.press("1 ·")
    await learner.press("1.1")
    # Walk until a multiple-choice challenge is on screen.
    for _ in range(10):
        if "Select all that apply, then tap Submit." in learner.last_text:
            break
        await answer(bank, learner, right=True)
    challenge = challenge_on_screen(bank, learner)
    options = challenge.text("en").options
    requests = await learner.press(options[0])
    [toggle] = [r for r in requests if isinstance(r, EditMessageReplyMarkup)]
    labels = [b.text for row in toggle.reply_markup.inline_keyboard for b in row]
    assert f"☑️ {options[0]}" in labels and f"⬜ {options[1]}" in labels
    await learner.press(options[0])  # untick
    assert f"⬜ {options[0]}" in learner.live_buttons()
    requests = await learner.press("Submit")
    assert answered_notices(requests) == ["Select at least one option first."]
    await learner.press(options[0])
    await learner.press(options[2])
    await learner.press("Submit")
    assert any("Right!" in t for t in learner.screen()[-2:])


@pytest.mark.usefixtures("engine")
async def test_skip_counts_as_a_miss_with_tutorials(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await start_test(learner)
    await learner.press("Skip")
    correction = next(t for t in reversed(learner.screen()) if "Skipped" in t)
    assert "To succeed next time" in correction and "You skipped this one." in correction


@pytest.mark.usefixtures("engine")
async def test_double_tap_counts_once(learner: ChatDriver, bank: ContentBank) -> None:
    await start_test(learner, "4 ·", "4.1")  # single-choice challenges only
    message_id, data = learner.find_button(
        challenge_on_screen(bank, learner).text("en").options[0]
    )
    first = await learner.press_data(data, message_id)
    second = await learner.press_data(data, message_id)
    assert len(sent_texts(first)) == 1  # the next challenge (the correction is an edit)
    assert sent_texts(second) == []
    assert answered_notices(second) == ["This question is closed."]


@pytest.mark.usefixtures("engine")
async def test_forged_and_garbled_callbacks_change_nothing(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await start_test(learner)
    message_id = max(learner.messages)
    for data in [
        "opt:AAAAAAAAAAA:0",
        "opt:../../etc:1",
        "comp:9.9",
        "area:7",
        "💥",
        "x" * 64,
        "skip:",
    ]:
        requests = await learner.press_data(data, message_id)
        assert answered_notices(requests) == ["This question is closed."], data
        assert sent_texts(requests) == []
        assert not [
            r for r in requests if isinstance(r, (EditMessageText, EditMessageReplyMarkup))
        ]
    # The real challenge is still open.
    await answer(bank, learner, right=True)
    assert any("Right!" in t for t in learner.screen())


@pytest.mark.usefixtures("engine")
async def test_a_press_on_another_users_buttons_changes_nothing(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    ada = telegram(user_id=1, first_name="Ada")
    await start_test(ada, "4 ·", "4.1")
    message_id, data = ada.find_button(challenge_on_screen(bank, ada).text("en").options[0])
    mallory = telegram(user_id=2, first_name="Mallory")
    mallory.messages = ada.messages
    requests = await mallory.press_data(data, message_id)
    assert answered_notices(requests) == ["This question is closed."]
    assert sent_texts(requests) == []
    # Ada can still answer her own challenge.
    await ada.press_data(data, message_id)
    assert any("Right!" in t or "Not quite" in t for t in ada.screen())


@pytest.mark.usefixtures("engine")
async def test_a_restart_in_the_middle_continues_where_the_learner_was(
    make_conversation: Callable[..., Conversation],
    make_runtime: Callable[..., Awaitable[Any]],
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    bank: ContentBank,
) -> None:
    learner = telegram()
    await start_test(learner)
    await answer(bank, learner, right=True)
    pending = challenge_on_screen(bank, learner)
    # A new process: a new conversation and runtime on the same database.
    learner.dispatcher = await make_runtime(make_conversation())
    await answer(bank, learner, right=True)
    assert any("Right!" in t for t in learner.screen()[-2:])
    assert (
        pending.id != challenge_on_screen(bank, learner).id or "Test finished" in learner.last_text
    )
    await learner.say("/start")
    assert "▶️ Continue 1.1 · challenge 3" in learner.live_buttons()
    shown_before = max(m for m, v in learner.messages.items() if "Challenge 3 · " in v["text"])
    requests = await learner.press("Continue")
    assert "Challenge 3 · " in learner.last_text
    # The earlier copy of the same challenge loses its buttons: one live copy only.
    closed = [r for r in requests if isinstance(r, EditMessageReplyMarkup)]
    assert any(r.message_id == shown_before and r.reply_markup is None for r in closed)


async def test_group_start_answers_with_a_deep_link(
    telegram: Callable[..., ChatDriver], conversation: Conversation
) -> None:
    group = telegram(user_id=7, chat_id=-100123, chat_type="supergroup")
    requests = await group.say("/start@pixbot_test_bot")
    [message] = [r for r in requests if isinstance(r, SendMessage)]
    assert "private chat" in message.text
    [[button]] = message.reply_markup.inline_keyboard
    assert button.url == "https://t.me/pixbot_test_bot?start=go"
    # Plain chatter in the group gets no answer.
    assert await group.say("hello everyone") == []
    # A command addressed to another bot is not ours.
    assert await group.say("/start@other_bot") == []
    # Nothing is stored about people chatting in a group.
    async with conversation.stores() as store:
        assert await store.get_user(7) is None


@pytest.mark.usefixtures("engine")
async def test_a_competence_without_challenges_ends_at_once(
    learner: ChatDriver, bank: ContentBank
) -> None:
    """1.2 has no challenge in the fixture bank (a content pack may leave one empty): its test
    ends at once, after a test on another competence too."""
    await start_test(learner, "4 ·", "4.1")
    await finish(learner, bank, right_below=9)
    await learner.press("Another competence")
    await learner.press("1 ·")
    requests = await learner.press("1.2")
    assert not [t for t in sent_texts(requests) + answered_notices(requests) if t and APOLOGY in t]
    assert "Test finished: 1.2 Managing data" in learner.last_text
    assert "Level <b>0</b> of 6 · <b>0</b> of 48 pix" in learner.last_text
    assert "Your answers" not in learner.last_text
    assert "Streak" not in learner.last_text  # shown with the day's first result only
