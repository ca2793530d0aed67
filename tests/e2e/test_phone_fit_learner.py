"""A learner's screens fit a phone in English, French and Swedish (issue #17, item 4): every
button label at most 30 characters, at most 3 buttons in a row, a way back to the menu from
every screen that is not a challenge (a challenge is left by answering or skipping), walked
through the real dispatcher from the welcome to a result, a test to continue, a review, the
profile, /help and /about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.core.i18n import Catalogs
from content.bank import ContentBank
from tests.conftest import FakeClock
from tests.e2e.solver import answer, challenge_on_screen
from tests.e2e.test_phone_fit_teacher import LANGUAGES, Fit
from tests.telegram import ChatDriver


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_learners_screens_fit_a_phone(
    telegram: Callable[..., ChatDriver],
    catalogs: Catalogs,
    bank: ContentBank,
    clock: FakeClock,
    language: str,
) -> None:
    learner = telegram(user_id=7400 + LANGUAGES.index(language), language=language)
    content = "fr" if language == "fr" else "en"
    fit = Fit(catalogs, language)
    _ = fit._
    fit(await learner.say("/start"), way_back=False)  # the menu itself
    fit(await learner.say("/profile"))  # nothing tested yet: an invitation
    fit(await learner.press(_("🎯 Take a test")))
    fit(await learner.press("1 ·"))
    fit(await learner.press("1.1"), way_back=False)  # the first challenge
    for _turn in range(30):
        challenge = challenge_on_screen(bank, learner, content)
        before = len(learner.sent)
        await answer(bank, learner, right=challenge.level < 3, language=content)
        requests = learner.sent[before:]
        if "🏁" in learner.last_text:
            fit(requests)  # the result, with its way back
            break
        fit(requests, way_back=False)  # the correction in place, the next challenge
    else:
        raise AssertionError("the test did not finish")
    fit(await learner.press(_("📣 Share my result")))
    fit(await learner.say("/profile"))
    fit(await learner.say("/help"))
    fit(await learner.say("/about"))
    # A test left midway: the menu offers to continue it.
    fit(await learner.say("/test"))
    fit(await learner.press("4 ·"))
    fit(await learner.press("4.1"), way_back=False)
    fit(await learner.say("/start"), way_back=False)
    assert learner.live_buttons()[0].startswith("▶️")
    fit(await learner.press("▶️"), way_back=False)
    for _turn in range(30):
        if "🏁" in learner.last_text:
            break
        await learner.press(_("⏭ Skip"))
    # The next day, the skills missed come back for review: a review left midway too.
    clock.now += timedelta(days=1, hours=1)
    fit(await learner.say("/start"), way_back=False)
    assert any(label.startswith("🔁") for label in learner.live_buttons())
    fit(await learner.say("/review"), way_back=False)
    await answer(bank, learner, right=True, language=content)
    fit(await learner.say("/start"), way_back=False)
    assert learner.live_buttons()[0].startswith("▶️")
    assert fit.checked >= 30
