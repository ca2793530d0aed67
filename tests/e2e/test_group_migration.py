"""A group becomes a supergroup: whatever order Telegram's events come in (the supergroup used
before the migration is handled; the migration told in the old group, in the new one, or met
by a send), the group keeps its settings, quiz history, leaderboard and planned sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramMigrateToChat
from aiogram.methods import SendMessage, SendPoll, TelegramMethod
from aiogram.types import Message, PollAnswer, Update
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.core.groups.ports import GroupSettings, merge_migrated
from storage.database import session_factory
from storage.groups import GroupAdminRow, GroupRow, GroupTipRow
from storage.repository import store_factory
from tests.conftest import FakeClock
from tests.e2e.test_groups import ADMIN, PUPIL, deliver_due, membership, next_id, of
from tests.telegram import ChatDriver, RecordingSession

OLD, NEW = -4_001_234, -1_009_876_543_210
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Paris


class MigratingSession(RecordingSession):
    """The Bot API, where a group in ``moved`` has become a supergroup."""

    def __init__(self) -> None:
        super().__init__()
        self.moved: dict[int, int] = {}

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        chat_id = getattr(method, "chat_id", None)
        if chat_id is not None and int(chat_id) in self.moved:
            raise TelegramMigrateToChat(
                method,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.moved[int(chat_id)],
            )
        return super()._answer(method)


@pytest.fixture
async def session() -> RecordingSession:
    return MigratingSession()


def service(
    driver: ChatDriver,
    migrate_to_chat_id: int | None = None,
    migrate_from_chat_id: int | None = None,
) -> Update:
    message = Message(
        message_id=next_id(),
        date=datetime.now(UTC),
        chat=driver.chat,
        from_user=driver.user,
        migrate_to_chat_id=migrate_to_chat_id,
        migrate_from_chat_id=migrate_from_chat_id,
    )
    return Update(update_id=next_id(), message=message)


async def answer_poll(driver: ChatDriver, poll: SendPoll, poll_id: str) -> None:
    assert poll.correct_option_ids
    right = poll.correct_option_ids[0]
    vote = PollAnswer(
        poll_id=poll_id, option_ids=[right], option_persistent_ids=[str(right)], user=driver.user
    )
    await driver.feed(Update(update_id=next_id(), poll_answer=vote))


async def group_with_a_history(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> tuple[ChatDriver, ChatDriver, str]:
    """A basic group whose administrator set a tip at 09:00 and a quiz at 12:00 in Paris at
    the intermediate level; a quiz was answered, a tip posted, and the next quiz is planned
    (not sent yet). Returns the administrator, a pupil and the tip's text."""
    admin = telegram(user_id=ADMIN, chat_id=OLD, chat_type="group", first_name="Ms Leroy")
    pupil = telegram(user_id=PUPIL, chat_id=OLD, chat_type="group", first_name="Léo")
    session.admins.add((OLD, ADMIN))
    await admin.feed(membership(admin, joined=True))
    await admin.say("/groupsettings")
    for label in ("🕒", "Europe/Paris", "🕗", "09:00", "🕗 12:00", "12:00", "📶", "intermediate"):
        await admin.press(label)
    assert "level: intermediate" in admin.last_text
    clock.now = datetime(2026, 11, 25, 11, 0, 1, tzinfo=UTC)  # 12:00 in Paris
    [poll] = of(SendPoll, await deliver_due(admin, conversation, database, clock))
    assert poll.chat_id == OLD
    await answer_poll(pupil, poll, "poll1")
    clock.now = datetime(2026, 11, 26, 8, 0, 1, tzinfo=UTC)  # 09:00 in Paris
    [tip] = of(SendMessage, await deliver_due(admin, conversation, database, clock))
    assert tip.chat_id == OLD
    clock.now = datetime(2026, 11, 26, 11, 0, 1, tzinfo=UTC)
    assert await conversation.plan_group_sends() == 1  # the quiz, waiting for a worker
    return admin, pupil, tip.text


FIRST_USES = ["groupsettings", "bot added"]
SIGNALS = ["migrate_to in the old group", "migrate_from in the new group", "both", "a send"]


@pytest.mark.parametrize("first_use", FIRST_USES)
@pytest.mark.parametrize("signal", SIGNALS)
async def test_a_supergroup_used_before_its_migration_keeps_everything(
    telegram: Callable[..., ChatDriver],
    session: MigratingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
    first_use: str,
    signal: str,
) -> None:
    admin, _, first_tip = await group_with_a_history(
        telegram, session, conversation, database, clock
    )
    session.moved[OLD] = NEW
    moved_admin = telegram(user_id=ADMIN, chat_id=NEW, chat_type="supergroup")
    moved_pupil = telegram(user_id=PUPIL, chat_id=NEW, chat_type="supergroup", first_name="Léo")
    session.admins.add((NEW, ADMIN))
    # The supergroup is used first: a row with the defaults is made for it.
    if first_use == "groupsettings":
        await moved_admin.say("/groupsettings")
        assert "Daily tip: off" in moved_admin.last_text
    else:
        await moved_admin.feed(membership(moved_admin, joined=True))
    async with session_factory(database)() as db:
        assert await db.get(GroupRow, NEW) is not None

    sent: list[object] = []
    if signal in ("migrate_to in the old group", "both"):
        await admin.feed(service(admin, migrate_to_chat_id=NEW))
    if signal in ("migrate_from in the new group", "both"):
        await moved_admin.feed(service(moved_admin, migrate_from_chat_id=OLD))
    if signal == "both":  # told again in the old group: nothing left to move
        await admin.feed(service(admin, migrate_to_chat_id=NEW))
    if signal == "a send":  # the planned quiz meets the migration
        sent = await deliver_due(admin, conversation, database, clock)

    async with session_factory(database)() as db:
        assert await db.get(GroupRow, OLD) is None
        row = await db.get(GroupRow, NEW)
        assert row is not None
        settings = (row.tip_enabled, row.tip_hour, row.quiz_enabled, row.quiz_hour)
        assert settings == (True, 9, True, 12)
        assert (row.timezone, row.level, row.active) == ("Europe/Paris", "intermediate", True)
        admins = await db.scalars(
            select(GroupAdminRow.chat_id).where(GroupAdminRow.user_id == ADMIN)
        )
        assert set(admins) == {NEW}

    # The planned quiz goes to the supergroup, and its answer joins the first one's.
    if signal != "a send":
        sent = await deliver_due(admin, conversation, database, clock)
    *refused, poll = of(SendPoll, sent)  # refused: sent at the old id, which has moved
    assert [r.chat_id for r in refused] == ([OLD] if signal == "a send" else [])
    assert poll.chat_id == NEW
    await answer_poll(moved_pupil, poll, "poll2")
    await moved_pupil.say("/leaderboard")
    assert "1. Léo: 2 of 2" in moved_pupil.last_text

    await moved_admin.say("/groupsettings")
    screen = moved_admin.last_text
    assert "Daily tip: on, at 09:00" in screen and "Daily quiz: on, at 12:00" in screen
    assert "Time zone: Europe/Paris" in screen

    # The next tip is one not posted in the old group yet.
    clock.now = datetime(2026, 11, 27, 8, 0, 1, tzinfo=UTC)
    [tip] = of(SendMessage, await deliver_due(admin, conversation, database, clock))
    assert tip.chat_id == NEW and tip.text != first_tip


async def test_migration_merges_rows_both_groups_have(database: AsyncEngine) -> None:
    """The same tip posted, or the same administrator seen, in both: the later moment stays."""
    stores = store_factory(session_factory(database))
    early, late = START, START + timedelta(hours=5)
    async with stores() as store:
        for chat_id in (OLD, NEW):
            await store.save_group(GroupSettings(chat_id), START)
        await store.record_tip_posted(OLD, "t-both", late)
        await store.record_tip_posted(NEW, "t-both", early)
        await store.record_tip_posted(OLD, "t-old", early)
        await store.record_tip_posted(NEW, "t-new", late)
        await store.record_group_admin(OLD, ADMIN, early)
        await store.record_group_admin(NEW, ADMIN, late)
        await store.record_group_admin(OLD, PUPIL, early)
        await store.commit()
    async with stores() as store:
        await store.migrate_group(OLD, NEW)
        await store.commit()
    async with stores() as store:
        assert await store.posted_tips(OLD) == {}
        assert await store.posted_tips(NEW) == {"t-both": late, "t-old": early, "t-new": late}
    async with session_factory(database)() as db:
        rows = await db.execute(
            select(GroupAdminRow.chat_id, GroupAdminRow.user_id, GroupAdminRow.seen_at)
        )
        seen = {(chat_id, user_id): at.replace(tzinfo=UTC) for chat_id, user_id, at in rows}
        assert seen == {(NEW, ADMIN): late, (NEW, PUPIL): early}
        assert set(await db.scalars(select(GroupTipRow.chat_id))) == {NEW}


def test_a_setting_changed_in_the_supergroup_before_the_merge_is_kept() -> None:
    old = GroupSettings(
        OLD, title="5B", language="fr", tip_enabled=True, tip_hour=9, level="advanced"
    )
    old.quiz_enabled, old.quiz_hour, old.topics = True, 14, ["phishing"]
    new = GroupSettings(NEW, title="5B (super)", language="en", quiz_enabled=True, quiz_hour=10)
    merged = merge_migrated(old, new)
    assert merged == GroupSettings(
        NEW,
        title="5B (super)",
        language="fr",
        tip_enabled=True,
        tip_hour=9,
        level="advanced",
        quiz_enabled=True,
        quiz_hour=10,  # chosen in the supergroup
        topics=["phishing"],
    )
