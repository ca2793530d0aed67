"""Pix's retry rules in the chat: improve after 4 days keeping validated skills, start from
zero after 7 days without activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from content.bank import ContentBank
from tests.conftest import FakeClock
from tests.e2e.solver import challenge_on_screen, finish
from tests.e2e.test_assessment import OPENING_LEVELS, start_test
from tests.telegram import ChatDriver, answered_notices


@pytest.mark.usefixtures("engine")
async def test_a_tested_competence_can_be_improved_after_4_days_keeping_its_skills(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    await start_test(learner)
    await finish(learner, bank, right_below=3)  # levels 1-2 right, 3+ wrong
    assert "Level <b>2</b> of 6 · <b>16</b> of 48 pix" in learner.last_text
    assert "🎉 Your first level in this competence" in learner.last_text

    await learner.press("Another competence")
    await learner.press("1 ·")
    await learner.press("1.1")
    screen = learner.last_text
    assert "Your result: level 2 · 16 pix (November 25, 2026)." in screen
    assert "You can improve it from November 29, 2026" in screen
    assert learner.live_buttons() == ["⬅️ Back"]
    # Pressing a forged "improve" before its time changes nothing.
    requests = await learner.press_data("improve:1.1", max(learner.messages))
    assert answered_notices(requests) == ["This question is closed."]

    clock.now += timedelta(days=4)
    await learner.press("Back")
    await learner.press("1.1")
    assert "Improve it:" in learner.last_text
    assert learner.live_buttons() == ["📈 Improve my result", "⬅️ Back"]  # no reset before 7 days
    await learner.press("Improve my result")
    asked = await finish(learner, bank, right_below=6)  # now everything right
    # The validated skills (levels 1-2 of both tubes) were kept, not asked again.
    assert not {"@alpha1", "@alpha2", "@beta1", "@beta2"} & set(asked)
    assert "Level <b>5</b> of 6 · <b>40</b> of 48 pix" in learner.last_text
    assert "🎉 Up from level 2 to level 5: well done!" in learner.last_text


async def test_start_from_zero_after_7_days_without_activity(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock, engine: str
) -> None:
    await start_test(learner)
    await finish(learner, bank, right_below=6)
    clock.now += timedelta(days=8)
    await learner.press("Another competence")
    await learner.press("1 ·")
    await learner.press("1.1")
    assert learner.live_buttons() == ["📈 Improve my result", "🔄 Start from zero", "⬅️ Back"]
    await learner.press("Start from zero")
    # A fresh test: it opens as a first one does, nothing kept.
    assert challenge_on_screen(bank, learner).level in OPENING_LEVELS[engine]
    assert "Challenge 1 · " in learner.last_text
    await finish(learner, bank, right_below=0)  # everything wrong this time
    assert "Level <b>0</b> of 6 · <b>0</b> of 48 pix" in learner.last_text
    assert "🎉" not in learner.last_text and "No level yet" in learner.last_text
    assert "📌 <b>To work on:</b> " in learner.last_text
