"""Issue 20, point 1: a class group's schedule a school can live with. Sends decided from the
stored settings and an injected clock: late ones skipped, school days, a pause until a
Sunday, the next post on the panel, a tip or quiz sent now, any hour from 06:00 to 21:00, a
zone typed or taken from the teacher's language, buttons showing their state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiogram.methods import SendMessage, SendPoll
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from tests.conftest import FakeClock
from tests.e2e.test_groups import (
    ADMIN,
    GROUP,
    configured_group,
    daily_tip_at,
    deliver_due,
    membership,
    of,
)
from tests.telegram import ChatDriver, RecordingSession, answered_notices, sent_texts

PARIS_8 = (7, 0, 5)  # 08:00:05 in Paris in winter, as UTC hour, minute, second


def at(day: int, hour: int, minute: int = 0, second: int = 5) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


async def test_a_send_missed_by_over_two_hours_is_skipped_not_posted_late(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await daily_tip_at(admin, "08:00", "Europe/Paris")
    clock.now = at(26, 9, 1)  # 10:01 in Paris: the bot was down at 08:00
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = at(26, 20, 30)  # and nothing at 21:30 either
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = at(27, 8, 59)  # 09:59 in Paris: late, but within two hours
    [tip] = of(SendMessage, await deliver_due(admin, conversation, database, clock))
    assert "Tip of the day" in tip.text


async def test_school_days_only_skip_the_weekend_and_show_on_the_panel(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await daily_tip_at(admin, "08:00", "Europe/Paris")
    assert "Days: every day" in admin.last_text
    await admin.press("📅 Every day")
    assert "Days: school days (Monday to Friday)" in admin.last_text
    assert "📅 Mon–Fri" in admin.live_buttons()
    sent = []
    for day in (26, 27, 28, 29, 30):  # Thursday to Monday
        clock.now = at(day, *PARIS_8)
        sent.append(bool(of(SendMessage, await deliver_due(admin, conversation, database, clock))))
    assert sent == [True, True, False, False, True]


async def test_a_pause_until_a_sunday_stops_sends_and_the_panel_says_until_when(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await daily_tip_at(admin, "08:00", "Europe/Paris")  # on Wednesday 25 November
    assert "Next post: tip, Thursday 26 November at 08:00 (Europe/Paris)" in admin.last_text
    await admin.press("⏸ Pause")
    assert "until which Sunday" in admin.last_text
    await admin.press("⏸ to 6 Dec")  # the second Sunday: two weeks of holidays
    assert "⏸ Paused until Sunday 6 December included" in admin.last_text
    assert "Next post: tip, Monday 7 December at 08:00 (Europe/Paris)" in admin.last_text
    clock.now = at(26, *PARIS_8)
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = datetime(2026, 12, 7, 7, 0, 5, tzinfo=UTC)
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock))
    # Resuming early: the next day it posts.
    await admin.say("/groupsettings")
    await admin.press("⏸ Pause")
    await admin.press("⏸ to 13 Dec")
    await admin.press("⏸ Pause")
    await admin.press("▶️ Resume now")
    assert "Paused" not in admin.last_text
    assert "Next post: tip, Tuesday 8 December at 08:00" in admin.last_text


async def test_any_hour_from_six_to_twenty_one(
    telegram: Callable[..., ChatDriver], session: RecordingSession
) -> None:
    admin, _ = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    await admin.press("🕗 08:00")
    hours = [label.removeprefix("✅ ") for label in admin.live_buttons() if ":00" in label]
    assert hours == [f"{hour:02d}:00" for hour in range(6, 22)]
    await admin.press("17:00")
    assert "Daily tip: on, at 17:00" in admin.last_text
    assert "🔔 Tip: on" in admin.live_buttons() and "🕗 17:00" in admin.live_buttons()


async def test_a_typed_time_zone_and_one_from_the_teachers_language(
    telegram: Callable[..., ChatDriver], session: RecordingSession
) -> None:
    admin = telegram(
        user_id=ADMIN, chat_id=GROUP, chat_type="supergroup", language="fr", first_name="Mme L"
    )
    session.admins.add((GROUP, ADMIN))
    await admin.feed(membership(admin, joined=True))
    await admin.say("/groupsettings")
    assert "Fuseau horaire\u202f: Europe/Paris" in admin.last_text  # a French teacher's group
    await admin.press("🕒")
    assert "/timezone Montreal" in admin.last_text
    await admin.say("/timezone Montréal")
    assert "Fuseau horaire\u202f: America/Montreal" in admin.last_text
    assert "🕒 Montreal" in admin.live_buttons()
    [unknown] = sent_texts(await admin.say("/timezone Atlantide"))
    assert "Atlantide" in unknown and "/timezone" in unknown
    pupil = telegram(user_id=ADMIN + 7, chat_id=GROUP, chat_type="supergroup", language="fr")
    assert sent_texts(await pupil.say("/timezone UTC")) == [
        "Seuls les administrateurs du groupe peuvent faire cela."
    ]


async def test_audience_and_level_are_chosen_from_their_lists(
    telegram: Callable[..., ChatDriver], session: RecordingSession
) -> None:
    admin, _ = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    assert "👥 everyone" in admin.live_buttons() and "📶 basic" in admin.live_buttons()
    await admin.press("👥 everyone")
    assert admin.live_buttons() == [
        "✅ everyone",
        "pupils",
        "educators",
        "people at work",
        "⬅️ Back",
    ]
    await admin.press("pupils")
    assert "Audience: pupils · level: basic" in admin.last_text
    await admin.press("📶 basic")
    assert "✅ basic" in admin.live_buttons()
    await admin.press("advanced")
    assert "👥 pupils" in admin.live_buttons() and "📶 advanced" in admin.live_buttons()


async def test_send_one_now_goes_through_the_delivery_engine(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, pupil = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    panel = max(admin.messages)
    assert answered_notices(await pupil.press_data("grp:now.0", panel)) == [
        "Only the group's administrators can do that."
    ]
    assert answered_notices(await admin.press("📤 Tip now")) == [
        "📤 A tip is on its way: it arrives within a minute."
    ]
    assert answered_notices(await admin.press("📤 Quiz now")) == [
        "📤 A quiz is on its way: it arrives within a minute."
    ]
    sent = await deliver_due(admin, conversation, database, clock)
    [tip] = of(SendMessage, sent)
    [poll] = of(SendPoll, sent)
    assert "Tip of the day" in tip.text and poll.type == "quiz"
    # The same press again within the minute is not a second post.
    assert answered_notices(await admin.press("📤 Tip now")) == [
        "Nothing to send: check the topics, or wait a minute between two sends."
    ]
    clock.now += timedelta(minutes=1)
    await admin.press("📤 Tip now")
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock))
    async with conversation.stores() as store:  # the refused repeat used up no tip
        assert len(await store.posted_tips(GROUP)) == 2
