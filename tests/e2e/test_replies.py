"""Every reply arrives, in order, whatever Telegram answers: 429s waited out, a chat that is gone
marked so, a challenge that never arrived shown again instead of scored; a person who floods is
slowed down alone, and nobody's replies go past Telegram's rates."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.core.flood import FLOOD_BURST
from bot.delivery.limiter import RateLimiter
from bot.serving.lifecycle import send_reminders
from content.bank import ContentBank
from storage.database import session_factory
from storage.groups import GroupRow
from tests.e2e.solver import answer, challenge_on_screen
from tests.e2e.test_groups import membership
from tests.telegram import ChatDriver, RecordingSession, sent_texts, transport_of
from tests.virtual_time import VirtualTime

APOLOGY = "something went wrong"


def too_many(seconds: int) -> Callable[[TelegramMethod[Any]], Exception]:
    return lambda method: TelegramRetryAfter(method, "Too Many Requests", seconds)


def network_down(method: TelegramMethod[Any]) -> Exception:
    return TelegramNetworkError(method, "connection reset")


def blocked(method: TelegramMethod[Any]) -> Exception:
    return TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")


async def start_test(learner: ChatDriver) -> None:
    await learner.say("/start")
    await learner.press("Take a test")
    await learner.press("1 ·")
    await learner.press("1.1")


async def test_a_429_on_a_reply_is_waited_out_and_the_rest_follows_in_order(
    learner: ChatDriver,
    session: RecordingSession,
    bank: ContentBank,
    limits_time: VirtualTime,
) -> None:
    session.clock = limits_time
    await start_test(learner)
    before = len(learner.texts())
    session.fail(EditMessageText, too_many(4))  # the correction meets Telegram's flood control
    await answer(bank, learner, right=True)
    edits = [r for r in learner.sent if isinstance(r, EditMessageText)]
    refused, corrected = edits[-2:]
    # The correction went again once Telegram's wait was over, and the next screen followed it.
    assert corrected.text == refused.text and "Right" in corrected.text
    assert id(corrected) in session.results and id(refused) not in session.results
    after = learner.texts()[before:]
    assert len(after) == 1, after
    assert "Test finished" in after[0] or challenge_on_screen(bank, learner)
    sends = [r for r in learner.sent if isinstance(r, SendMessage)]
    assert session.times[id(sends[-1])] - session.times[id(refused)] >= 4
    assert not any(APOLOGY in text for text in learner.texts())


async def test_a_429_after_a_typed_answer_loses_nothing(
    learner: ChatDriver, session: RecordingSession, bank: ContentBank
) -> None:
    await start_test(learner)
    for _ in range(10):  # until a challenge answered by typing is on screen
        if challenge_on_screen(bank, learner).type.value in ("text", "fields"):
            break
        await answer(bank, learner, right=True)
    else:
        raise AssertionError("the bank served no typed challenge")
    before = len(learner.texts())
    session.fail(SendMessage, too_many(2), times=2)  # the next challenge meets flood control
    await answer(bank, learner, right=False)
    after = learner.texts()[before:]
    assert len(after) == 1 and not any(APOLOGY in text for text in after)
    assert any("Not quite" in text for text in learner.screen())


async def test_a_challenge_that_never_arrived_is_shown_again_not_scored(
    learner: ChatDriver, session: RecordingSession, bank: ContentBank, caplog: Any
) -> None:
    await start_test(learner)
    asked = challenge_on_screen(bank, learner)
    before = len(learner.texts())
    # The correction arrives; the next challenge does not (the network is down for a while).
    session.fail(SendMessage, network_down, times=6)
    caplog.set_level(logging.INFO)
    await answer(bank, learner, right=True)
    assert learner.texts()[before:] == []
    correction = learner.screen()[-1]
    assert "Right" in correction
    assert "not delivered" in caplog.text and "Traceback" not in caplog.text
    if "Test finished" in correction:  # pragma: no cover - a one-challenge test
        return
    # The learner types something: it is not scored against the challenge they never saw,
    # which is shown instead.
    [shown] = sent_texts(await learner.say("something"))
    pending = challenge_on_screen(bank, learner)
    assert pending.id != asked.id
    assert pending.text("en").prompt in shown
    assert "✅" not in shown and "❌" not in shown
    # Now it is answered and corrected as usual.
    replies = len(learner.texts())
    await answer(bank, learner, right=True)
    assert len(learner.texts()) > replies


async def test_a_blocked_chat_is_marked_gone_in_one_line_and_reminders_stop(
    learner: ChatDriver,
    session: RecordingSession,
    caplog: Any,
) -> None:
    await learner.say("/start")
    session.fail(SendMessage, blocked)
    caplog.set_level(logging.INFO)
    requests = await learner.say("/help")
    assert len([r for r in requests if isinstance(r, SendMessage)]) == 1  # no apology after it
    assert "chat 1001 is gone" in caplog.text
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text
    # Marked inactive: the daily reminders skip this person (nothing is even tried).
    replies = learner.dispatcher["replies"]
    users = await replies.conversation.due_reminders()
    assert all(user_id != learner.user.id for user_id, _ in users)
    assert await send_reminders(transport_of(learner.dispatcher, learner.bot), replies) == 0


async def test_a_flood_is_slowed_alone_within_telegrams_rates(
    conversation: Conversation,
    session: RecordingSession,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Bot,
) -> None:
    time = VirtualTime()
    session.clock = time
    limiter = WaitLog(clock=time, sleep=time.sleep)
    dispatcher = await make_runtime(conversation, limiter=limiter, clock=time, sleep=time.sleep)
    flooder = ChatDriver(dispatcher, bot, session, user_id=2001, time=time, pace=0.01)
    calm = ChatDriver(dispatcher, bot, session, user_id=2002, time=None)
    await flooder.say("/start")
    menu, data = flooder.find_button("Take a test")

    async def flood() -> None:  # 400 updates in 4 s: presses and /start, mixed
        for index in range(400):
            if index % 2:
                await flooder.press_data(data, menu)
            else:
                await flooder.say("/start")

    async def read_and_answer() -> None:  # someone else, meanwhile, at a person's pace
        for _ in range(6):
            await calm.say("/start")
            await time.sleep(3.0)

    await asyncio.gather(flood(), read_and_answer())

    to_flooder = [r for r in flooder.sent if isinstance(r, SendMessage)]
    presses = [r for r in flooder.sent if isinstance(r, AnswerCallbackQuery)]
    # Every press is answered at once (its spinner stops), but most updates were dropped.
    assert len(presses) == 200
    assert len(to_flooder) < 40
    # One "slow down" notice (a toast or a message), not one per dropped update.
    notices = [r.text for r in presses if r.text] + [
        r.text for r in to_flooder if "Easy!" in r.text
    ]
    assert len(notices) == 1, notices
    # Within the chat's rate: a burst of 3, then at most one a second.
    times = sorted(session.times[id(r)] for r in to_flooder)
    assert all(b - a >= 3.0 - 1e-9 for a, b in zip(times, times[3:], strict=False)), times
    # The calm learner got every welcome, and never waited for the flooder's share: at most
    # for the bot's global spacing of sends (25 a second), never for a chat's.
    assert len(sent_texts(calm.sent)) == 6
    assert limiter.waited.get(calm.user.id, 0.0) <= 6 * 3 * limiter.interval
    assert limiter.waited.get(flooder.user.id, 0.0) > 0.0


async def test_a_person_pressing_quickly_within_a_burst_loses_nothing(
    learner: ChatDriver,
) -> None:
    """Browsing menus and toggling options in a second or two is a person, not a flood."""
    learner.pace = 0.2
    await learner.say("/start")
    for _ in range(FLOOD_BURST - 1):
        requests = await learner.press(learner.live_buttons()[0])
        assert [r for r in requests if not isinstance(r, AnswerCallbackQuery)], requests
        assert all(
            "Easy!" not in (r.text or "") for r in requests if isinstance(r, AnswerCallbackQuery)
        )


class WaitLog(RateLimiter):
    """The shipped limits, and how long each chat's sends waited for them."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.waited: dict[int, float] = {}

    async def acquire(self, chat_id: int, urgent: bool = False) -> None:
        started = self.clock()
        await super().acquire(chat_id, urgent)
        if chat_id:
            self.waited[chat_id] = self.waited.get(chat_id, 0.0) + self.clock() - started


async def test_a_reply_refused_in_a_group_stops_its_sends(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    database: AsyncEngine,
    caplog: Any,
) -> None:
    group = -1001234500001
    admin = telegram(user_id=701, chat_id=group, chat_type="supergroup")
    session.admins.add((group, admin.user.id))
    await admin.feed(membership(admin, joined=True))
    session.fail(SendMessage, kicked)
    caplog.set_level(logging.INFO)
    requests = await admin.say("/groupsettings")
    assert len([r for r in requests if isinstance(r, SendMessage)]) == 1  # no apology after it
    assert f"chat {group} is gone" in caplog.text and "Traceback" not in caplog.text
    async with session_factory(database)() as db:
        row = await db.get(GroupRow, group)
        assert row is not None and row.active is False  # no daily tip or quiz any more


def kicked(method: TelegramMethod[Any]) -> Exception:
    return TelegramForbiddenError(method, "Forbidden: bot was kicked from the supergroup chat")
