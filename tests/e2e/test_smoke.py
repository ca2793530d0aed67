"""The bot as it ships: the menu, and a test on the shipped content with each engine."""

import itertools
import re

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import build_conversation
from bot.core.conversation import Conversation
from bot.settings import Settings
from content.loader import load_bank
from tests.e2e.solver import finish
from tests.e2e.test_assessment import start_test
from tests.telegram import ChatDriver

LEVEL = re.compile(r"Level <b>(\d)</b> of 6 · <b>(\d+)</b> of 48 pix")


@pytest.fixture
async def conversation(settings: Settings, database: AsyncEngine) -> Conversation:
    """The bot as `pixbot run` builds it from the settings: the shipped content bank and
    engine; only its seeds are fixed, so that a run can be repeated."""
    built = await build_conversation(settings, database)
    seeds = itertools.count(7)
    built.assessments.new_seed = lambda: next(seeds)
    return built


async def test_start_shows_the_menu(learner: ChatDriver) -> None:
    await learner.say("/start")
    assert "I'm pixbot" in learner.last_text
    assert learner.live_buttons() == [
        "🎯 Take a test",
        "📊 My profile",
        "📚 Tutorials",
        "💡 A tip",
        "⚙️ Settings",
    ]


@pytest.mark.usefixtures("engine")
async def test_the_shipped_bot_places_a_learner_on_the_shipped_content(
    learner: ChatDriver, conversation: Conversation
) -> None:
    bank = conversation.bank
    assert bank.challenges.keys() == load_bank().challenges.keys()  # not the fixture bank
    await start_test(learner, "1 ·", "1.1")
    assert "Challenge 1 · " in learner.last_text
    await finish(learner, bank, right_below=3)  # right below level 3, wrong from it on
    assert "Test finished: 1.1 Searching and monitoring information" in learner.last_text
    found = LEVEL.search(learner.last_text)
    assert found is not None and found.group(1) == "2", learner.last_text
    await learner.press("My profile")
    assert f"level 2 of 6 · {found.group(2)} pix" in learner.last_text
