"""A failed skill enters the review queue (FSRS): the first failure's card goes in with its
answer (one statement on PostgreSQL); a skill failed again in a later test has its card moved,
not replaced nor doubled; an answer refused as given already brings no card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.assessments import Assessments
from bot.core.engines.smart_random import SmartRandom
from bot.core.ports import AlreadyAnswered, Attempt
from bot.core.review import first_card
from content.bank import ContentBank
from content.models import Challenge
from storage.database import session_factory
from storage.models import ReviewCardRow, UserRow
from storage.repository import SqlStore

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


async def failed(
    sessions: Any, assessments: Assessments, challenge: Challenge, number: int, now: datetime
) -> tuple[bool, list[str]]:
    """A failure in test ``number``, as ``Assessments.answer`` records it: the answer with the
    skill's first card, and the card moved when it had one. Whether the card went in with the
    answer, and the statements sent."""
    async with sessions() as session:
        store = SqlStore(session)
        sitting = await store.add_assessment(7, "1.1", "smart-random", 1, now)
        attempt = await store.add_attempt(
            Attempt(0, f"tok{number}", sitting.id, 7, challenge.id, 1, "en"), now
        )
        await session.commit()
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(" ".join(args[2].split()[:3]))

    event.listen(sessions.kw["bind"].sync_engine, "before_cursor_execute", record)
    try:
        async with sessions() as session:
            store = SqlStore(session)
            card = first_card(7, challenge.skill, now)
            carded = await store.record_answer(attempt, "x", False, False, now, card)
            if not carded:
                await assessments._schedule_review(store, sitting, challenge, False)
            await session.commit()
    finally:
        event.remove(sessions.kw["bind"].sync_engine, "before_cursor_execute", record)
    return carded, [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]


async def test_a_failed_skill_gets_one_card_that_a_later_failure_moves(
    database: AsyncEngine, bank: ContentBank
) -> None:
    challenge = next(iter(bank.challenges.values()))
    clock = [NOW]
    assessments = Assessments(bank, SmartRandom(), lambda: clock[0])
    sessions = session_factory(database)
    async with sessions() as session:
        session.add(UserRow(id=7, language="en", created_at=NOW, updated_at=NOW))
        await session.commit()

    # The first failure: its card goes in with the answer, in one statement on PostgreSQL.
    carded, statements = await failed(sessions, assessments, challenge, 1, NOW)
    assert carded
    if database.dialect.name == "postgresql":
        assert statements == ["WITH answer AS"]
    else:
        assert statements == ["INSERT INTO answers", "INSERT INTO review_cards"]
    async with sessions() as session:
        first = await SqlStore(session).review_card(7, challenge.skill)
    assert first is not None and first.due - NOW == timedelta(days=1)

    # Failed again in a retest two weeks later: the same card, moved from then.
    clock[0] = NOW + timedelta(days=14)
    carded, _ = await failed(sessions, assessments, challenge, 2, clock[0])
    assert not carded
    async with sessions() as session:
        again = await SqlStore(session).review_card(7, challenge.skill)
        cards = await session.scalar(select(func.count()).select_from(ReviewCardRow))
    assert cards == 1
    assert again is not None and again.reviews == first.reviews + 1
    assert again.due > clock[0] > first.due


async def test_an_answer_given_twice_writes_no_card(
    database: AsyncEngine, bank: ContentBank
) -> None:
    """A double tap, or a second process: the second answer is refused, and its card with it."""
    challenge = next(iter(bank.challenges.values()))
    sessions = session_factory(database)
    async with sessions() as session:
        store = SqlStore(session)
        session.add(UserRow(id=7, language="en", created_at=NOW, updated_at=NOW))
        sitting = await store.add_assessment(7, "1.1", "smart-random", 1, NOW)
        attempt = await store.add_attempt(
            Attempt(0, "tok1", sitting.id, 7, challenge.id, 1, "en"), NOW
        )
        assert not await store.record_answer(attempt, "x", True, False, NOW)
        await session.commit()
    async with sessions() as session:
        with pytest.raises(AlreadyAnswered):
            await SqlStore(session).record_answer(
                attempt, "y", False, False, NOW, first_card(7, challenge.skill, NOW)
            )
        await session.rollback()
    async with sessions() as session:
        cards = await session.scalar(select(func.count()).select_from(ReviewCardRow))
    assert cards == 0
