"""Educators' groups: the bot joins, administrators configure it, a daily tip and quiz go out
through the delivery engine at the group's local time, quiz answers make a leaderboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram.methods import EditMessageText, SendMessage, SendPoll
from aiogram.types import (
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    PollAnswer,
    Update,
    User,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.delivery import RateLimiter
from bot.serving.lifecycle import delivery_worker
from content.bank import ContentBank
from storage.database import session_factory
from storage.groups import GroupRow
from tests.conftest import FakeClock
from tests.telegram import (
    ChatDriver,
    RecordingSession,
    answered_notices,
    sent_texts,
    transport_of,
)

GROUP = -1001234567890
ADMIN, PUPIL = 501, 502
BOT = User(id=42, is_bot=True, first_name="Pixbot", username="pixbot_test_bot")


def membership(driver: ChatDriver, joined: bool) -> Update:
    old = ChatMemberLeft(user=BOT) if joined else ChatMemberMember(user=BOT)
    new = ChatMemberMember(user=BOT) if joined else ChatMemberLeft(user=BOT)
    update = ChatMemberUpdated(
        chat=driver.chat,
        from_user=driver.user,
        date=datetime.now(UTC),
        old_chat_member=old,
        new_chat_member=new,
    )
    return Update(update_id=next_id(), my_chat_member=update)


_ids = iter(range(800000, 900000))


def next_id() -> int:
    return next(_ids)


def of(kind: type, requests: list[object]) -> list[Any]:
    return [r for r in requests if isinstance(r, kind)]


async def deliver_due(
    via: ChatDriver, conversation: Conversation, database: AsyncEngine, clock: FakeClock
) -> list[object]:
    """Plan what is due and run one delivery pass through the transport of the runtime ``via``
    talks to; what the Bot API received."""
    await conversation.plan_group_sends()
    transport = transport_of(via.dispatcher, via.bot)
    sessions = session_factory(database)
    worker = delivery_worker(transport, conversation, sessions, "test", clock, RateLimiter(1000))
    await worker.run_once()
    return via.session.take()


async def configured_group(
    telegram: Callable[..., ChatDriver], session: RecordingSession
) -> tuple[ChatDriver, ChatDriver]:
    admin = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup", first_name="Ms Leroy")
    pupil = telegram(user_id=PUPIL, chat_id=GROUP, chat_type="supergroup", first_name="Léo")
    pupil.messages = admin.messages
    session.admins.add((GROUP, ADMIN))
    requests = await admin.feed(membership(admin, joined=True))
    intro = sent_texts(requests)[0]
    assert "/groupsettings" in intro and "cybersecurity tip" in intro
    return admin, pupil


async def daily_tip_at(admin: ChatDriver, hour: str, zone: str | None = None) -> None:
    """The administrator opens the group settings and sets the daily tip's hour (and zone)."""
    await admin.say("/groupsettings")
    if zone is not None:
        await admin.press("🕒")
        await admin.press(zone)
    await admin.press("🕗")
    await admin.press(hour)


async def test_only_administrators_change_group_settings(
    telegram: Callable[..., ChatDriver], session: RecordingSession
) -> None:
    admin, pupil = await configured_group(telegram, session)
    assert sent_texts(await pupil.say("/groupsettings")) == [
        "Only the group's administrators can do that."
    ]
    await admin.say("/groupsettings")
    assert "Daily tip: off, at 08:00" in admin.last_text
    settings_message = max(admin.messages)
    requests = await pupil.press_data("grp:tip", settings_message)
    assert answered_notices(requests) == ["Only the group's administrators can do that."]
    requests = await admin.press("🕗")
    await admin.press("09:00")
    assert "Daily tip: on, at 09:00" in admin.last_text
    await admin.press("🕒")
    await admin.press("Europe/Paris")
    await admin.press("🌐")
    assert "Langue\u202f: français" in admin.last_text  # the group now speaks French
    await admin.press("Sujets")
    await admin.press("hameçonnage")
    await admin.press("Terminé")
    assert "Sujets\u202f: hameçonnage" in admin.last_text


async def test_daily_tip_posted_once_at_the_groups_local_time(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await daily_tip_at(admin, "08:00", "Europe/Paris")

    clock.now = datetime(2026, 11, 26, 6, 59, tzinfo=UTC)  # 07:59 in Paris
    assert await deliver_due(admin, conversation, database, clock) == []
    clock.now = datetime(2026, 11, 26, 7, 0, 5, tzinfo=UTC)  # 08:00 in Paris
    [tip] = [
        r
        for r in await deliver_due(admin, conversation, database, clock)
        if isinstance(r, SendMessage)
    ]
    assert tip.chat_id == GROUP and "Tip of the day" in tip.text and "Source:" in tip.text
    assert await deliver_due(admin, conversation, database, clock) == []  # once
    clock.now += timedelta(days=1)
    [second] = [
        r
        for r in await deliver_due(admin, conversation, database, clock)
        if isinstance(r, SendMessage)
    ]
    assert second.text != tip.text  # a tip not yet posted in this group


async def test_quiz_poll_answers_are_scored_on_the_leaderboard(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, pupil = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    await admin.press("🕗 12:00")
    await admin.press("12:00")
    clock.now = datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC)
    [poll] = [
        r
        for r in await deliver_due(admin, conversation, database, clock)
        if isinstance(r, SendPoll)
    ]
    assert poll.type == "quiz" and poll.is_anonymous is False and poll.correct_option_ids
    assert '<a href="https://example.org/en/gamma">📚 Tutorial</a>' in (poll.explanation or "")
    assert poll.explanation_parse_mode == "HTML"
    poll_id = "poll1"
    right = poll.correct_option_ids[0]
    for user, option in ((pupil.user, right), (admin.user, 1 - right)):
        answer = PollAnswer(
            poll_id=poll_id, option_ids=[option], option_persistent_ids=[str(option)], user=user
        )
        await pupil.feed(Update(update_id=next_id(), poll_answer=answer))
    await pupil.say("/leaderboard")
    board = pupil.last_text
    assert "1. Léo: 1 of 1" in board and "2. Ms Leroy: 0 of 1" in board
    await pupil.say("/leaderboard hide")
    clock.now += timedelta(minutes=1)  # a member's same group command: once a minute
    await pupil.say("/leaderboard")
    assert "1. a member: 1 of 1" in pupil.last_text


async def test_migration_keeps_settings_and_removal_stops_sends(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await daily_tip_at(admin, "09:00")
    clock.now = datetime(2026, 11, 26, 9, 0, 1, tzinfo=UTC)
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock))  # posted
    new_id = GROUP - 1
    service = Message(
        message_id=77,
        date=datetime.now(UTC),
        chat=admin.chat,
        from_user=admin.user,
        migrate_to_chat_id=new_id,
    )
    await admin.feed(Update(update_id=next_id(), message=service))
    async with session_factory(database)() as db:
        assert await db.get(GroupRow, GROUP) is None
        migrated = await db.get(GroupRow, new_id)
        assert migrated is not None and migrated.tip_enabled and migrated.tip_hour == 9

    moved = telegram(user_id=ADMIN, chat_id=new_id, chat_type="supergroup")
    await moved.feed(membership(moved, joined=False))
    clock.now = datetime(2026, 11, 27, 9, 0, 1, tzinfo=UTC)
    assert await deliver_due(admin, conversation, database, clock) == []


async def test_a_403_from_a_group_stops_its_sends(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    await daily_tip_at(admin, "09:00")
    session.blocked.add(GROUP)  # "bot was kicked from the supergroup chat"
    clock.now = datetime(2026, 11, 26, 9, 0, 1, tzinfo=UTC)
    await deliver_due(admin, conversation, database, clock)
    async with session_factory(database)() as db:
        row = await db.get(GroupRow, GROUP)
        assert row is not None and row.active is False
    clock.now += timedelta(days=1)
    assert await deliver_due(admin, conversation, database, clock) == []


async def test_group_edits_are_telegram_valid(
    telegram: Callable[..., ChatDriver], session: RecordingSession
) -> None:
    admin, _ = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    for label, back in (("👥", "Back"), ("📶", "Back"), ("Topics", "Done")):
        requests = await admin.press(label)
        assert any(isinstance(r, EditMessageText) for r in requests)
        await admin.press(back)


async def test_members_group_commands_are_answered_once_a_minute(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    clock: FakeClock,
) -> None:
    admin, _ = await configured_group(telegram, session)
    pupils = [
        telegram(user_id=PUPIL + n, chat_id=GROUP, chat_type="supergroup") for n in range(1, 31)
    ]
    posted = []
    for pupil in pupils:  # a whole class types /leaderboard at once
        posted += of(SendMessage, await pupil.say("/leaderboard"))
    assert len(posted) == 1
    assert of(SendMessage, await admin.say("/leaderboard"))  # administrators are always answered
    clock.now += timedelta(minutes=1)
    assert len(of(SendMessage, await pupils[0].say("/leaderboard"))) == 1


async def test_a_quiz_question_is_not_asked_again_in_a_group_while_others_are_left(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
    bank: ContentBank,
) -> None:
    """A quiz answers its question in public: the group gets every question once before any
    comes back, and then the one asked longest ago; a member who answered one meets the other
    variants first in a test."""
    admin, pupil = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    await admin.press("🕗 12:00")
    await admin.press("12:00")
    polls = [c for c in bank.challenges.values() if c.poll_eligible]
    asked: list[str] = []
    clock.now = datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC)
    for _day in range(len(polls) + 1):
        [poll] = of(SendPoll, await deliver_due(admin, conversation, database, clock))
        asked.append(poll.question)
        clock.now += timedelta(days=1)
    assert len(set(asked[:-1])) == len(polls)  # each once
    assert asked[-1] == asked[0]  # then the one asked longest ago
    # Léo answers the last poll: its question counts as met for his tests.
    answer = PollAnswer(
        poll_id=f"poll{len(asked)}", option_ids=[0], option_persistent_ids=["0"], user=pupil.user
    )
    await pupil.feed(Update(update_id=next_id(), poll_answer=answer))
    quizzed = next(c.id for c in polls if c.text("en").prompt[:100] in asked[-1])
    async with conversation.stores() as store:
        assert quizzed in await store.seen_challenges(PUPIL)
        assert quizzed not in await store.seen_challenges(ADMIN)
