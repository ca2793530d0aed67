"""Coming back: profile picture, spaced review, streaks, reminders, tutorials, tips, settings,
and the learner's own data, as the chat sees them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto, SetMyCommands
from matplotlib.image import imread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.serving.lifecycle import send_reminders, set_commands
from content.bank import ContentBank
from storage import models
from storage.database import session_factory
from storage.tables import metadata
from tests.conftest import FakeClock
from tests.e2e.solver import answer, challenge_on_screen, finish
from tests.e2e.test_assessment import start_test
from tests.telegram import (
    ChatDriver,
    RecordingSession,
    answered_notices,
    sent_texts,
    transport_of,
)


def photos(requests: list[object]) -> list[bytes]:
    return [r.photo.data for r in requests if isinstance(r, SendPhoto)]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("engine")
async def test_profile_sends_a_radar_chart_that_changes_with_the_profile(
    learner: ChatDriver, bank: ContentBank
) -> None:
    assert photos(await learner.say("/profile")) == []  # nothing tested: no empty picture
    assert "You have not taken a test yet" in learner.last_text

    await start_test(learner, "4 ·", "4.1")
    await finish(learner, bank, right_below=3)
    first = photos(await learner.say("/profile"))
    assert len(first) == 1 and first[0].startswith(b"\x89PNG")
    height, width = imread(BytesIO(first[0])).shape[:2]
    assert width == height and width >= 800  # square, readable on a phone
    assert photos(await learner.say("/profile")) == first  # same profile, same picture

    await start_test(learner)
    await finish(learner, bank, right_below=3)
    again = photos(await learner.say("/profile"))
    assert again[0] != first[0]


@pytest.mark.usefixtures("engine")
async def test_a_failed_skill_comes_back_for_review_by_due_date_and_levels_stay(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    await start_test(learner, "4 ·", "4.1")
    first = challenge_on_screen(bank, learner)
    await answer(bank, learner, right=False)  # fails @gamma2 (or the first skill asked)
    await finish(learner, bank, right_below=0)
    profile_before = learner.last_text

    assert "No review is due" in sent_texts(await learner.say("/review"))[0]
    assert "Next review: November 26, 2026." in learner.last_text

    clock.now += timedelta(days=1, hours=1)
    await learner.say("/start")
    assert any(label.startswith("🔁 Review (") for label in learner.live_buttons())
    await learner.press("🔁 Review")
    # The oldest due card first: the skill failed first.
    assert challenge_on_screen(bank, learner).skill == first.skill
    assert "\nChallenge 1 of " in learner.last_text
    await finish(learner, bank, right_below=9)
    assert "Review done" in learner.last_text and "right" in learner.last_text
    assert "Next review: November 28, 2026." in learner.last_text  # right: back in 2 days
    await learner.say("/profile")
    assert learner.last_text == profile_before or "level 0" in learner.last_text


@pytest.mark.usefixtures("engine")
async def test_streak_counts_days_in_a_row_in_the_learners_time_zone(
    learner: ChatDriver, bank: ContentBank, clock: FakeClock
) -> None:
    """Answering counts the day; the streak shows with the day's first result (not under
    every correction)."""
    await start_test(learner, "4 ·", "4.1")
    await finish(learner, bank, right_below=9)
    assert "🔥 Streak: 1 day" in learner.last_text
    await learner.press("Another competence")
    await learner.press("1 ·")
    await learner.press("1.1")
    await answer(bank, learner, right=True)
    assert not [text for text in learner.screen() if "Your answer:" in text and "Streak" in text]
    clock.now += timedelta(days=1)
    await finish(learner, bank, right_below=9)
    assert "🔥 Streak: 2 days" in learner.last_text
    assert sum("Streak" in text for text in learner.screen()) == 2  # two days, two results
    clock.now += timedelta(days=2)  # a day without answers breaks it
    await learner.say("/profile")
    assert "Streak" not in learner.last_text


async def test_settings_time_zone_by_button_offset_or_city(learner: ChatDriver) -> None:
    await learner.say("/settings")
    assert "Time zone: UTC" in learner.last_text and "Daily reminder: off" in learner.last_text
    await learner.press("Time zone")
    assert "Europe/Paris" in learner.live_buttons()
    requests = await learner.say("nowhere-land")
    assert "I don't know that time zone" in sent_texts(requests)[0]
    await learner.say("UTC+2")
    assert "Time zone: UTC+02:00 (it is 11:00 there)" in learner.last_text
    await learner.press("Time zone")
    await learner.say("Stockholm")
    assert "Time zone: Europe/Stockholm" in learner.last_text
    await learner.press("Time zone")
    await learner.press("Europe/Paris")
    assert "Time zone: Europe/Paris" in learner.last_text
    # Once set, typed text is no longer read as a time zone.
    assert sent_texts(await learner.say("London")) == ["What would you like to do?"]


async def test_daily_reminder_once_at_local_hour_never_to_blocked_users(
    learner: ChatDriver,
    conversation: Conversation,
    session: RecordingSession,
    clock: FakeClock,
    bank: ContentBank,
) -> None:
    transport = transport_of(learner.dispatcher, learner.bot)  # the runtime's Bot API calls
    await learner.say("/settings")
    await learner.press("Time zone")
    await learner.press("Europe/Paris")
    await learner.press("Daily reminder")
    await learner.press("Turn on")
    await learner.press("19:00")
    assert "Daily reminder: on, at 19:00" in learner.last_text

    clock.now = datetime(2026, 11, 25, 17, 58, tzinfo=UTC)  # 18:58 in Paris
    assert await send_reminders(transport, learner.dispatcher["replies"]) == 0
    clock.now = datetime(2026, 11, 25, 18, 0, 30, tzinfo=UTC)  # 19:00 in Paris
    assert await send_reminders(transport, learner.dispatcher["replies"]) == 1
    [reminder] = [r for r in session.take() if isinstance(r, SendMessage)]
    assert reminder.chat_id == learner.user.id and "daily moment" in reminder.text
    assert await send_reminders(transport, learner.dispatcher["replies"]) == 0  # at most one a day

    # Blocked: the 403 marks the learner inactive; nothing more is sent.
    clock.now += timedelta(days=1)
    session.blocked.add(learner.user.id)
    assert await send_reminders(transport, learner.dispatcher["replies"]) == 0
    assert len(session.take()) == 1  # the attempt that Telegram refused with 403
    clock.now += timedelta(days=1)
    assert await send_reminders(transport, learner.dispatcher["replies"]) == 0
    assert session.take() == []  # not even tried: the learner is inactive
    # Writing to the bot again reactivates the reminders.
    session.blocked.clear()
    await learner.say("/start")
    clock.now += timedelta(days=1)
    assert await send_reminders(transport, learner.dispatcher["replies"]) == 1


async def test_blocking_the_bot_is_noticed_from_my_chat_member(
    learner: ChatDriver, conversation: Conversation, database: AsyncEngine
) -> None:
    from aiogram.types import ChatMemberBanned, ChatMemberMember, ChatMemberUpdated, Update, User

    await learner.say("/start")
    bot_user = User(id=42, is_bot=True, first_name="Pixbot")
    update = ChatMemberUpdated(
        chat=learner.chat,
        from_user=learner.user,
        date=datetime.now(UTC),
        old_chat_member=ChatMemberMember(user=bot_user),
        new_chat_member=ChatMemberBanned(user=bot_user, until_date=0),
    )
    await learner.feed(Update(update_id=990001, my_chat_member=update))
    async with session_factory(database)() as db:
        assert (await db.get(models.UserRow, learner.user.id)).active is False  # type: ignore[union-attr]


@pytest.mark.usefixtures("engine")
async def test_tutorials_can_be_saved_marked_useful_and_paged(
    learner: ChatDriver, bank: ContentBank
) -> None:
    assert "No tutorial yet" in sent_texts(await learner.say("/tutorials"))[0]
    await start_test(learner, "4 ·", "4.1")
    await answer(bank, learner, right=False)
    correction = next(t for t in reversed(learner.screen()) if "Not quite" in t)
    assert "To succeed next time" in correction
    requests = await learner.press("💾 Save")
    assert answered_notices(requests) == ["Saved: find it with /tutorials."]
    await learner.say("/tutorials")
    assert "Learn gamma" in learner.last_text and "saved" in learner.last_text
    requests = await learner.press("👍 1")
    assert answered_notices(requests) == ["Thanks: marked as useful."]
    await learner.say("/tutorials")
    assert "saved · 👍" in learner.last_text


async def test_tip_in_the_learners_language_not_repeated(
    telegram: Callable[..., ChatDriver],
) -> None:
    learner = telegram(user_id=77, language="fr")
    await learner.say("/tip")
    assert "Un" in learner.last_text and "Source\u202f:" in learner.last_text
    assert learner.live_buttons() == ["💡 Un autre conseil", "⬅️ Menu"]


@pytest.mark.usefixtures("engine")
async def test_my_data_and_erasure_leave_no_row_about_the_learner(
    learner: ChatDriver, bank: ContentBank, database: AsyncEngine
) -> None:
    await start_test(learner, "4 ·", "4.1")
    await answer(bank, learner, right=False)
    await learner.press("💾 Save")
    requests = await learner.say("/mydata")
    [document] = [r for r in requests if isinstance(r, SendDocument)]
    data = json.loads(document.document.data)  # type: ignore[union-attr]
    assert data["user"]["id"] == learner.user.id
    assert data["answers"] and data["review_cards"] and data["saved_tutorials"]

    await learner.say("/deleteme")
    assert "for good" in learner.last_text
    requests = await learner.press("Yes, erase everything")
    assert "has been erased" in next(r.text for r in requests if isinstance(r, EditMessageText))
    async with session_factory(database)() as db:
        for table in metadata.sorted_tables:
            if "user_id" in table.c:
                rows = await db.execute(select(table).where(table.c.user_id == learner.user.id))
                assert rows.first() is None, table.name
        assert await db.get(models.UserRow, learner.user.id) is None


@pytest.mark.parametrize("language", [None, "en", "fr", "sv"])
async def test_command_menus_are_set_for_each_language_and_scope(
    conversation: Conversation,
    session: RecordingSession,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Bot,
    language: str | None,
) -> None:
    await set_commands(transport_of(await make_runtime(conversation), bot), conversation)
    menus = {
        (r.scope.type, r.language_code): r.commands  # type: ignore[union-attr]
        for r in session.take()
        if isinstance(r, SetMyCommands)
    }
    private = menus[("all_private_chats", language)]
    assert [c.command for c in private][:3] == ["start", "test", "review"]
    assert "deleteme" in [c.command for c in private]
    assert [c.command for c in menus[("all_group_chats", language)]] == ["leaderboard"]
    admins = [c.command for c in menus[("all_chat_administrators", language)]]
    assert admins == ["groupsettings", "leaderboard", "timezone"]
    if language == "fr":
        assert private[1].description == "Passer un test"
