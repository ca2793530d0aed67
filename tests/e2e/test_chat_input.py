"""Typed answers, odd input, languages and failures, as the chat sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from aiogram.methods import EditMessageText, SendMessage

from bot.core.conversation import Conversation
from content.bank import ContentBank
from content.models import ChallengeType
from tests.conftest import FakeClock
from tests.e2e.solver import answer, challenge_on_screen
from tests.e2e.test_assessment import start_test
from tests.telegram import ChatDriver, buttons_of, edited_texts, sent_texts


async def walk_to(
    learner: ChatDriver, bank: ContentBank, kind: ChallengeType, clock: FakeClock
) -> None:
    """Answer until a challenge of ``kind`` shows, starting over (a week later, from zero)
    when a test ends."""
    for _ in range(60):
        if "Test finished" in learner.last_text:
            clock.now += timedelta(days=8)
            await learner.press("Another competence")
            await learner.press("1 ·")
            await learner.press("1.1")
            await learner.press("Start from zero")
        challenge = challenge_on_screen(bank, learner)
        if challenge.type is kind:
            return
        # Right below level 3, wrong above: the engine keeps asking around level 3.
        await answer(bank, learner, right=challenge.level < 3)
    pytest.fail(f"no {kind} challenge came")


async def test_text_without_a_pending_challenge_gets_the_menu(learner: ChatDriver) -> None:
    texts = sent_texts(await learner.say("hello"))
    assert texts == ["What would you like to do?"]
    assert "🎯 Take a test" in learner.live_buttons()


@pytest.mark.parametrize(
    "text",
    [
        "x" * 4096,
        "😀🎉👍",
        "مرحبا بالعالم",
        "\u200b\u200b",
        "<b>not bold</b> & co",
        "/unknowncommand",
    ],
)
async def test_odd_text_is_answered_sensibly(learner: ChatDriver, text: str) -> None:
    requests = await learner.say(text)
    assert len([r for r in requests if isinstance(r, SendMessage)]) == 1


@pytest.mark.usefixtures("engine")
async def test_stickers_get_a_sensible_answer(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    assert sent_texts(await learner.sticker()) == [
        "I only understand text and buttons. What would you like to do?"
    ]
    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.TEXT, clock)
    assert sent_texts(await learner.sticker()) == [
        "I can only read text answers. Type your answer, or tap Skip."
    ]


@pytest.mark.usefixtures("engine")
async def test_typed_answer_with_tolerances_closes_the_challenge_buttons(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.TEXT, clock)
    challenge = challenge_on_screen(bank, learner)
    challenge_message = max(learner.messages)
    word = challenge.text("en").accept[0]
    # Case, spaces, a zero-width space and one typo are tolerated (T1, T3).
    requests = await learner.say(f"  {word.upper()[:-1]}x\u200b ")
    assert "✅ Right!" in edited_texts(requests)[0]
    # The challenge message (above the typed answer) becomes the answer and its correction;
    # its Skip button gives way to the correction's only button.
    [edit] = [r for r in requests if isinstance(r, EditMessageText)]
    assert edit.message_id == challenge_message and "Your answer:" in edit.text
    assert [b.text for b in buttons_of(edit.reply_markup)] == ["⚠️ Report a problem"]


@pytest.mark.usefixtures("engine")
async def test_choice_challenge_asks_to_use_the_buttons(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await start_test(learner, "4 ·", "4.1")
    assert sent_texts(await learner.say("B")) == [
        "Tap one of the buttons under the question to answer, or Skip."
    ]


@pytest.mark.usefixtures("engine")
async def test_fields_one_line_each_or_one_message_per_field(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.FIELDS, clock)
    assert "1. First\n2. Second" in learner.last_text
    assert sent_texts(await learner.say("12")) == ["Got it. Now item 2 of 2: Second"]
    requests = await learner.say("3,5")  # a decimal comma is the same number
    assert "✅ Right!" in edited_texts(requests)[0]


@pytest.mark.usefixtures("engine")
async def test_language_is_switched_and_remembered(learner: ChatDriver, bank: ContentBank) -> None:
    await learner.say("/language")
    assert learner.live_buttons() == ["✅ English", "Français", "Svenska", "⬅️ Back"]
    requests = await learner.press("Français")
    edited = next(r.text for r in requests if isinstance(r, EditMessageText))
    assert "Langue\u202f: français ✅" in edited
    assert sent_texts(requests) == ["Que voulez-vous faire\u202f?"]
    await learner.say("/start")
    assert "Bonjour Ada\u202f! Je suis pixbot." in learner.last_text
    await learner.press("Passer un test")
    await learner.press("1 ·")
    assert learner.live_buttons()[0] == "1.1 · Recherche"
    assert "<b>1.1</b> Mener une recherche et une veille d" in learner.last_text
    await learner.press("1.1")
    challenge = challenge_on_screen(bank, learner, "fr")
    assert challenge.text("fr").prompt in learner.last_text


async def test_telegram_language_is_followed_until_one_is_chosen(
    telegram: Callable[..., ChatDriver],
) -> None:
    swede = telegram(user_id=55, language="sv-SE")
    await swede.say("/start")
    assert "Hej! Jag är pixbot." in swede.last_text or "Hej" in swede.last_text
    unknown = telegram(user_id=56, language="pt-BR")
    await unknown.say("/start")
    assert "Hello Ada! I'm pixbot." in unknown.last_text


async def test_a_failure_gets_an_apology_and_is_logged(
    learner: ChatDriver,
    conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(event: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(conversation, "handle", broken)
    texts = sent_texts(await learner.say("/start"))
    assert texts == ["Sorry, something went wrong on my side. Please try again."]
    assert "database on fire" in caplog.text


@pytest.mark.usefixtures("engine")
async def test_a_redelivered_update_is_handled_once(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    """Telegram retries webhooks and polling may replay after a crash: a typed answer
    delivered twice must not also answer the next challenge."""
    from aiogram.types import Update

    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.TEXT, clock)
    challenge = challenge_on_screen(bank, learner)
    update = Update(update_id=424242, message=learner._message(challenge.text("en").accept[0]))
    first = await learner.feed(update)
    assert "✅ Right!" in edited_texts(first)[0]
    assert await learner.feed(update) == []  # the same update again: nothing happens
    group = ChatDriver(
        learner.dispatcher, learner.bot, learner.session, user_id=9, chat_id=-5, chat_type="group"
    )
    start = Update(update_id=434343, message=group._message("/start"))
    assert len(sent_texts(await group.feed(start))) == 1
    assert await group.feed(start) == []


@pytest.mark.parametrize("failure", ["down", "pool exhausted"])
async def test_database_down_is_a_short_message_and_recovery_is_automatic(
    learner: ChatDriver,
    conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    working = conversation.stores

    def down() -> object:
        if failure == "pool exhausted":  # no connection free within the pool timeout
            raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database is down"))

    monkeypatch.setattr(conversation, "stores", down)
    assert sent_texts(await learner.say("/start")) == [
        "pixbot is temporarily unavailable. Please try again in a minute."
    ]
    monkeypatch.setattr(conversation, "stores", working)  # the database is back
    assert "I'm pixbot" in sent_texts(await learner.say("/start"))[0]
