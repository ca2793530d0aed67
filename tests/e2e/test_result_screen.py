"""What a learner reads at the end of a test and around it: the result in the three languages,
"Save all", a link into a competence's test, and an answered challenge that stays within
Telegram's limit however long it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from aiogram.methods import EditMessageText

from bot.core.assessment.callbacks import SaveAll
from bot.core.assessment.callbacks import test_link_payload as link_to  # not a test
from bot.core.assessment.screens import AssessmentScreens
from bot.core.assessments import Corrected, Finished, Served
from bot.core.i18n import Catalogs
from bot.core.ports import Assessment, AssessmentStatus, Attempt
from bot.core.screens import CommonScreens
from content.bank import ContentBank
from tests.e2e.solver import challenge_on_screen, finish
from tests.e2e.test_assessment import start_test
from tests.telegram import ChatDriver, answered_notices, assert_valid_html, sent_texts

RESULTS = {
    "en": ("Test finished", "Level <b>2</b> of 6 · <b>16</b> of 48 pix", "Your answers"),
    "fr": ("Test terminé", "Niveau <b>2</b> sur 6 · <b>16</b> pix sur 48", "Vos réponses"),
    "sv": ("Testet är klart", "Nivå <b>2</b> av 6 · <b>16</b> av 48 pix", "Dina svar"),
}


@pytest.mark.parametrize("language", ["en", "fr", "sv"])
async def test_the_result_explains_itself_in_each_language(
    telegram: Callable[..., ChatDriver], bank: ContentBank, language: str
) -> None:
    learner = telegram(language=language)
    await learner.say("/test")
    await learner.press("1 ·")
    await learner.press("1.1")
    content = "fr" if language == "fr" else "en"
    assert challenge_on_screen(bank, learner, content)
    await finish(learner, bank, right_below=3, language=content)
    finished, level, recap = RESULTS[language]
    result = learner.last_text
    assert finished in result and level in result and recap in result
    meaning = bank.level_meaning("1.1", 2, language)
    assert meaning and meaning.replace("'", "&#x27;")[:30] in result  # 1.1's novice line
    assert result.count("✅ ") >= 2 and "❌ " in result  # right below level 3, wrong from it
    # Skills are named in the reader's language, Swedish included (challenges are en/fr only).
    named = {"en": "Alpha (level ", "fr": "Alpha (niveau ", "sv": "Alfa (nivå "}
    assert named[language] in result, result
    assert "🎉" in result  # a first level
    assert len(learner.live_buttons()) == 5 and all(len(b) <= 30 for b in learner.live_buttons())


async def test_save_all_saves_the_recommended_tutorials_once(
    learner: ChatDriver, bank: ContentBank
) -> None:
    await start_test(learner)
    await finish(learner, bank, right_below=3)
    assert "💾 Save all" in learner.live_buttons()
    requests = await learner.press("💾 Save all")
    [notice] = answered_notices(requests)
    assert notice is not None and notice.startswith("Saved ") and "/tutorials" in notice
    await learner.say("/tutorials")
    assert "Learn alpha" in learner.last_text or "Learn beta" in learner.last_text


async def test_save_all_of_another_learners_result_saves_nothing(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    ada = telegram(user_id=11, first_name="Ada")
    await start_test(ada)
    await finish(ada, bank, right_below=3)
    _, data = ada.find_button("💾 Save all")
    mallory = telegram(user_id=12, first_name="Mallory")
    await mallory.say("/start")
    requests = await mallory.press_data(data, max(ada.messages))
    assert answered_notices(requests) == ["This question is closed."]
    forged = await mallory.press_data(SaveAll(2**31 - 1).pack(), max(ada.messages))
    assert answered_notices(forged) == ["This question is closed."]
    await mallory.say("/tutorials")
    assert "No tutorial yet" in mallory.last_text


async def test_a_link_to_a_competence_opens_its_test_or_its_result(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    friend = telegram(user_id=21, first_name="Bo")
    texts = sent_texts(await friend.say(f"/start {link_to('4.1')}"))
    assert texts[0].startswith("🎯 <b>Test: 4.1 Securing the digital environment</b>")
    assert challenge_on_screen(bank, friend).tube == "gamma" and "Challenge 1 · " in texts[1]
    await finish(friend, bank, right_below=9)
    # Tested already: the link shows the result and what the retry rules allow.
    [again] = sent_texts(await friend.say("/start test-4-1"))
    assert "Your result: level" in again and "You can improve it from" in again
    # A link to no competence: the menu.
    for payload in ("test-9-9", "test-4-1-x"):
        [menu] = sent_texts(await friend.say(f"/start {payload}"))
        assert menu == "What would you like to do?", payload


def test_a_very_long_challenge_keeps_its_correction_within_telegrams_limit(
    bank: ContentBank,
) -> None:
    catalogs = Catalogs()
    screens = AssessmentScreens(bank, catalogs, CommonScreens(catalogs))
    challenge = next(c for c in bank.challenges.values() if c.type.value == "single")
    long_text = challenge.text("en").model_copy(update={"prompt": "A long story. " * 300})
    challenge = challenge.model_copy(update={"en": long_text})
    assessment = Assessment(1, 1, "4.1", "irt", 1, AssessmentStatus.STARTED, datetime.now(UTC))
    options = list(range(len(long_text.options)))
    attempt = Attempt(1, "AbCdEfGhIjK", 1, 1, challenge.id, 1, "en", options)
    attempt.answered, attempt.correct, attempt.value = True, False, "0"
    served = Served(assessment, attempt, challenge, 3, sureness=0.5)
    assert len(screens.challenge("en", served).text) > 4096  # too long answered whole
    finished = Finished(assessment, None, {}, [])  # type: ignore[arg-type]
    answered = screens.answered(
        "en", served, Corrected(attempt, challenge, False, False, finished)
    )
    assert_valid_html(answered.text)
    assert "Challenge 3 · " in answered.text and "A long story." in answered.text
    assert "Not quite" in answered.text and "The answer:" in answered.text


async def test_a_swedish_learner_is_told_once_that_challenges_are_in_english(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    note = "Själva uppgifterna är på engelska"
    swede = telegram(user_id=31, language="sv")
    await swede.say("/test")
    await swede.press("4 ·")
    requests = await swede.press("4.1")
    intro = next(r.text for r in requests if isinstance(r, EditMessageText))
    assert "🎯" in intro and note in intro
    await finish(swede, bank, right_below=9)
    await swede.say("/test")
    await swede.press("1 ·")
    requests = await swede.press("1.1")
    intro = next(r.text for r in requests if isinstance(r, EditMessageText))
    assert "🎯" in intro and note not in intro  # once, at the first test
    french = telegram(user_id=32, language="fr")
    await french.say("/test")
    await french.press("4 ·")
    requests = await french.press("4.1")
    assert not any("anglais" in (getattr(r, "text", "") or "") for r in requests)
