"""Tips for people at work (issue 18, item 7): the library's audience filter offers them, and a
staff group set to that audience gets them as its daily tip (issue 20: both mean the
audience's own tips and those for everyone)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from content.bank import ContentBank
from content.loader import load_bank
from content.models import Audience
from tests.conftest import FIXTURES, FakeClock
from tests.e2e.test_groups import GROUP, configured_group, daily_tip_at, deliver_due
from tests.telegram import ChatDriver, RecordingSession

SHIPPED_TIPS = Path(__file__).parents[2] / "content" / "tips"


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> ContentBank:
    """The small test bank with the shipped work tips added, through the real loader."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(FIXTURES / "content", root, dirs_exist_ok=True)
    for path in SHIPPED_TIPS.glob("work-*.yaml"):
        shutil.copy(path, root / "tips" / path.name)
    return load_bank(root)


def edits(requests: list[object]) -> list[EditMessageText]:
    return [r for r in requests if isinstance(r, EditMessageText)]


def work_tips(bank: ContentBank) -> int:
    return sum(tip.audience is Audience.PROFESSIONALS for tip in bank.tips)


async def test_the_library_offers_tips_for_people_at_work(
    learner: ChatDriver, bank: ContentBank
) -> None:
    everyone = sum(tip.audience is Audience.EVERYONE for tip in bank.tips)
    at_work = work_tips(bank)
    assert at_work >= 40
    await learner.say("/library")
    await learner.press("📚 All topics")
    assert "Who is it for?" in learner.last_text
    label = f"people at work ({at_work + everyone})"  # their own and those for everyone
    assert label in learner.live_buttons()
    await learner.press(label)
    assert "all topics · for people at work" in learner.last_text
    [card] = edits(await learner.press("Any level"))
    assert f"— 1/{at_work + everyone}" in card.text and "Source: <a href=" in card.text

    await learner.press("📚 Topics")
    await learner.press("incidents")  # a topic whose tips are all for people at work
    assert learner.live_buttons()[:2] == ["Any audience (6)", "people at work (6)"]
    await learner.press("people at work (6)")
    [first] = edits(await learner.press("basic (2)"))
    assert "Something looks wrong on your computer?" in first.text and "— 1/2" in first.text
    assert "incidents · for people at work · basic" in first.text


async def test_a_staff_group_gets_tips_for_people_at_work(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    await admin.press("👥")  # the audiences, the group's ticked
    assert "✅ everyone" in admin.live_buttons()
    await admin.press("people at work")
    assert "Audience: people at work · level: basic" in admin.last_text
    await admin.press("Topics")
    await admin.press("incidents")
    await admin.press("Done")
    assert "Topics: incidents" in admin.last_text
    await daily_tip_at(admin, "08:00")

    clock.now = datetime(2026, 11, 26, 8, 0, 5, tzinfo=UTC)
    [tip] = [
        r
        for r in await deliver_due(admin, conversation, database, clock)
        if isinstance(r, SendMessage)
    ]
    assert tip.chat_id == GROUP and "Tip of the day" in tip.text
    assert "Something looks wrong on your computer?" in tip.text  # the basic one first
    assert "ets.wyo.gov" in tip.text
