"""Issue 20, point 4: the teacher learns from the quizzes. A quiz closes when the teacher
chose (the bot stops it: Telegram closes polls 10 minutes ahead at most) and its tally, skill
and tutorial show on /leaderboard and the panel; the week's leaderboard is posted at its end
(opt-in), last week's shows on a Monday, the whole class on request; anonymous quizzes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram.methods import SendMessage, SendPoll, StopPoll
from aiogram.types import PollAnswer, Update, User
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from tests.conftest import FakeClock
from tests.e2e.test_groups import configured_group, deliver_due, next_id, of
from tests.telegram import ChatDriver, RecordingSession


async def vote(driver: ChatDriver, poll_id: str, option: int, user: User) -> None:
    answer = PollAnswer(
        poll_id=poll_id, option_ids=[option], option_persistent_ids=[str(option)], user=user
    )
    await driver.feed(Update(update_id=next_id(), poll_answer=answer))


def moment(day: int, hour: int, minute: int = 0, second: int = 5) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


async def quiz_at_noon(admin: ChatDriver, open_for: str | None = None) -> None:
    await admin.say("/groupsettings")
    await admin.press("🕗 12:00")
    if open_for is not None:
        await admin.press(open_for)
        assert f"✅ {open_for}" in admin.live_buttons()
    await admin.press("12:00")


async def test_a_quiz_closes_when_chosen_and_the_teacher_sees_its_result(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _pupil = await configured_group(telegram, session)
    await quiz_at_noon(admin, "1 h")
    assert "Daily quiz: on, at 12:00 (open 1 h)" in admin.last_text
    clock.now = moment(25, 12, 0, 1)
    [poll] = of(SendPoll, await deliver_due(admin, conversation, database, clock))
    message_id = session.results[id(poll)].message_id
    right = poll.correct_option_ids[0]
    votes = [1] * len(poll.options)
    votes[right] = 2  # 2 of 3 right
    session.votes[message_id] = votes
    clock.now = moment(25, 12, 59)
    assert of(StopPoll, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = moment(25, 13, 0, 30)
    [stop] = of(StopPoll, await deliver_due(admin, conversation, database, clock))
    assert stop.chat_id == admin.chat.id and stop.message_id == message_id
    total = sum(votes)
    share = f"{round(100 * 2 / total)}%"
    await admin.say("/leaderboard")
    result = admin.last_text
    assert "Last quiz" in result and "Wednesday 25 November at 12:00 (UTC)" in result
    assert f"Answers: {total} · right: {share}" in result
    assert "Skill: " in result and '📚 <a href="https://example.org/' in result
    await admin.say("/groupsettings")
    assert f"Answers: {total} · right: {share}" in admin.last_text
    clock.now = moment(26, 9)
    assert of(StopPoll, await deliver_due(admin, conversation, database, clock)) == []  # once


async def test_anonymous_quizzes_show_no_names_and_close_at_the_end_of_the_day(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, pupil = await configured_group(telegram, session)
    await quiz_at_noon(admin)
    assert "(open until 23:59)" in admin.last_text
    await admin.press("🕶 Anonymous: off")
    assert "🕶 Anonymous: on" in admin.live_buttons()
    clock.now = moment(25, 12, 0, 1)
    [poll] = of(SendPoll, await deliver_due(admin, conversation, database, clock))
    assert poll.is_anonymous is True
    clock.now = moment(25, 23, 58)
    assert of(StopPoll, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = moment(25, 23, 59, 30)
    assert of(StopPoll, await deliver_due(admin, conversation, database, clock))
    await pupil.say("/leaderboard")
    board = pupil.last_text
    assert "This group's quizzes are anonymous: no leaderboard." in board
    assert "Answers: 0" not in board and "Nobody answered." in board


async def test_the_weeks_board_is_posted_at_its_end_and_shown_on_monday(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    make_conversation: Callable[..., Conversation],
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, pupil = await configured_group(telegram, session)
    await quiz_at_noon(admin)
    await admin.press("🏆 Weekly board: off")
    assert "🏆 Weekly board: on" in admin.live_buttons()
    clock.now = moment(25, 12, 0, 1)  # Wednesday
    [poll] = of(SendPoll, await deliver_due(admin, conversation, database, clock))
    await vote(pupil, "poll1", poll.correct_option_ids[0], pupil.user)
    clock.now = moment(27, 16, 59)  # Friday, before the week's end
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = moment(27, 17, 0, 5)
    second_worker = make_conversation()  # two processes plan at once: one board
    planned = await asyncio.gather(
        conversation.plan_group_sends(), second_worker.plan_group_sends()
    )
    assert sorted(planned) == [0, 1]
    [board] = of(SendMessage, await deliver_due(admin, conversation, database, clock))
    assert "This week's quiz leaderboard" in board.text and "1. Léo: 1 of 1" in board.text
    assert of(SendMessage, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = moment(30, 9)  # Monday: nobody answered this week yet
    await pupil.say("/leaderboard")
    assert "Last week's quiz leaderboard" in pupil.last_text
    assert "1. Léo: 1 of 1" in pupil.last_text


async def test_the_teacher_can_list_the_whole_class(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, pupil = await configured_group(telegram, session)
    await quiz_at_noon(admin)
    clock.now = moment(25, 12, 0, 1)
    [poll] = of(SendPoll, await deliver_due(admin, conversation, database, clock))
    for n in range(12):
        member = User(id=9000 + n, is_bot=False, first_name=f"Pupil{n:02d}")
        await vote(pupil, "poll1", poll.correct_option_ids[0], member)
    await pupil.say("/leaderboard all")  # a member gets the top 10
    assert "10. " in pupil.last_text and "11. " not in pupil.last_text
    assert "/leaderboard all" not in pupil.last_text
    await admin.say("/leaderboard")
    assert "/leaderboard all lists the whole class" in admin.last_text
    await admin.say("/leaderboard all")
    assert "12. " in admin.last_text and "/leaderboard all lists" not in admin.last_text


async def test_a_quiz_sent_late_in_the_evening_stays_open_an_hour(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin, _pupil = await configured_group(telegram, session)
    await admin.say("/groupsettings")
    clock.now = moment(25, 23, 30)
    await admin.press("📤 Quiz now")
    assert of(SendPoll, await deliver_due(admin, conversation, database, clock))
    clock.now = moment(26, 0, 15)  # past 23:59, within the hour
    assert of(StopPoll, await deliver_due(admin, conversation, database, clock)) == []
    clock.now = moment(26, 0, 31)
    assert of(StopPoll, await deliver_due(admin, conversation, database, clock))
