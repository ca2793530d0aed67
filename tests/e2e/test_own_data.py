"""/mydata gives a person everything stored about them (an educator's campaigns included,
with counts of who took part, never who), and /deleteme erases that same set; participants
keep their own results when their educator leaves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from aiogram.methods import SendDocument
from aiogram.types import PollAnswer, Update
from sqlalchemy import Column, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from content.bank import ContentBank
from storage import campaigns as tables
from storage import models
from storage.database import session_factory
from storage.tables import metadata
from tests.e2e.solver import answer
from tests.e2e.test_campaigns import create, register
from tests.e2e.test_groups import membership, next_id
from tests.telegram import ChatDriver, RecordingSession

EDUCATOR, ADA, BEA = 9001, 9002, 9003
GROUP = -1009001


def person_columns() -> Iterator[tuple[Any, Column[Any]]]:
    """Every column of the schema that holds a person's id."""
    users = models.UserRow.__table__.c.id
    for table in metadata.sorted_tables:
        for column in table.columns:
            if column.key == "user_id" or any(k.column is users for k in column.foreign_keys):
                yield table, column


async def my_data(driver: ChatDriver) -> dict[str, Any]:
    [document] = [r for r in await driver.say("/mydata") if isinstance(r, SendDocument)]
    return json.loads(document.document.data)  # type: ignore[union-attr, no-any-return]


def values(data: Any) -> Iterator[Any]:
    if isinstance(data, dict):
        for value in data.values():
            yield from values(value)
    elif isinstance(data, list):
        for value in data:
            yield from values(value)
    else:
        yield data


async def an_educator_with_a_class(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    bank: ContentBank,
) -> tuple[ChatDriver, list[ChatDriver], str]:
    """An educator with a campaign two learners joined, who also administers a class group
    and answered its quiz, and saved a tutorial after a mistake."""
    educator = telegram(user_id=EDUCATOR, first_name="Grace")
    await register(educator)
    code = await create(educator, "Class 6C", ["1.1"])
    learners = [
        telegram(user_id=ADA, first_name="Ada"),
        telegram(user_id=BEA, first_name="Bea"),
    ]
    for learner in learners:
        await learner.say(f"/start {code}")
        await learner.press("I agree")
        await answer(bank, learner, right=True)
    await educator.say("/start")
    await educator.press("Take a test")
    await educator.press("1 ·")
    await educator.press("1.1")
    await answer(bank, educator, right=False)
    await educator.press("💾 Save")

    in_group = telegram(
        user_id=EDUCATOR, chat_id=GROUP, chat_type="supergroup", first_name="Grace"
    )
    session.admins.add((GROUP, EDUCATOR))
    await in_group.feed(membership(in_group, joined=True))
    await conversation.quiz_sent(GROUP, "poll-9", "some-challenge", 0)
    vote = PollAnswer(
        poll_id="poll-9", option_ids=[0], option_persistent_ids=["0"], user=in_group.user
    )
    await in_group.feed(Update(update_id=next_id(), poll_answer=vote))
    await in_group.say("/leaderboard hide")
    return educator, learners, code


async def test_my_data_holds_everything_about_an_educator_and_nobody_else(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    bank: ContentBank,
) -> None:
    educator, learners, code = await an_educator_with_a_class(
        telegram, session, conversation, bank
    )
    data = await my_data(educator)
    # Every table that refers to a person is in the document.
    for table, _column in person_columns():
        assert table.name in data, table.name
    [campaign] = data["campaigns"]
    assert (campaign["code"], campaign["name"]) == (code, "Class 6C")
    assert (campaign["participants"], campaign["shared_results"]) == (2, 0)
    assert data["educators"] and data["saved_tutorials"] and data["review_cards"]
    assert [row["chat_id"] for row in data["group_admins"]] == [GROUP]
    assert [row["poll_id"] for row in data["quiz_answers"]] == ["poll-9"]
    assert data["leaderboard_hidden"]
    # Nothing about the participants: neither their ids nor their names.
    everything = list(values(data))
    assert ADA not in everything and BEA not in everything
    assert not [v for v in everything if isinstance(v, str) and ("Ada" in v or "Bea" in v)]

    # A participant's document names the campaign she joined.
    [participation] = (await my_data(learners[0]))["participations"]
    assert (participation["campaign_code"], participation["campaign_name"]) == (code, "Class 6C")


async def test_erasing_an_educator_erases_the_same_set_and_leaves_participants_their_results(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    bank: ContentBank,
    database: AsyncEngine,
) -> None:
    educator, learners, code = await an_educator_with_a_class(
        telegram, session, conversation, bank
    )
    exported = await my_data(educator)
    await educator.say("/deleteme")
    await educator.press("Yes, erase everything")
    async with session_factory(database)() as db:
        for table, column in person_columns():
            left = await db.scalar(
                select(func.count()).select_from(table).where(column == EDUCATOR)
            )
            assert not left, f"{table.name}.{column.key}"
            assert exported.get(table.name) is not None, table.name  # exported, then erased
        assert await db.get(models.UserRow, EDUCATOR) is None
        # The campaign, and the participations in it, went with the educator ...
        assert not await db.scalar(select(func.count()).select_from(tables.CampaignRow))
        assert not await db.scalar(select(func.count()).select_from(tables.ParticipationRow))
        # ... and the participants keep their own tests and what they validated.
        for learner in (ADA, BEA):
            assert await db.get(models.UserRow, learner) is not None
            tests = await db.scalar(
                select(func.count())
                .select_from(models.AssessmentRow)
                .where(models.AssessmentRow.user_id == learner)
            )
            assert tests == 1
    assert (await my_data(learners[0]))["participations"] == []
    reply = await learners[1].say(f"/join {code}")
    assert reply  # the code is gone, and she is told so
