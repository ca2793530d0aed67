"""A failed skill enters the review queue (FSRS): the first failure inserts its card in one
statement; a skill failed again in a later test has its card moved, not replaced nor doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.assessments import Assessments
from bot.core.engines.smart_random import SmartRandom
from bot.core.ports import Assessment, AssessmentStatus
from content.bank import ContentBank
from storage.database import session_factory
from storage.models import ReviewCardRow, UserRow
from storage.repository import SqlStore

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def sitting(assessment_id: int) -> Assessment:
    return Assessment(assessment_id, 7, "1.1", "smart-random", 1, AssessmentStatus.STARTED, NOW)


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

    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2].split()[0])

    event.listen(database.sync_engine, "before_cursor_execute", record)
    try:
        async with sessions() as session:
            await assessments._schedule_review(SqlStore(session), sitting(1), challenge, False)
            await session.commit()
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", record)
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == ["INSERT"]

    async with sessions() as session:
        first = await SqlStore(session).review_card(7, challenge.skill)
    assert first is not None and first.due - NOW == timedelta(days=1)

    # Failed again in a retest two weeks later: the same card, moved from then.
    clock[0] = NOW + timedelta(days=14)
    async with sessions() as session:
        await assessments._schedule_review(SqlStore(session), sitting(2), challenge, False)
        await session.commit()
    async with sessions() as session:
        again = await SqlStore(session).review_card(7, challenge.skill)
        cards = await session.scalar(select(func.count()).select_from(ReviewCardRow))
    assert cards == 1
    assert again is not None and again.reviews == first.reviews + 1
    assert again.due > clock[0] > first.due
