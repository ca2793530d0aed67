"""A learner's latest result per competence, with the last answer given on it (the retest
delay counts from there), read in one statement (issue 19: a statement is a round trip)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import session_factory
from storage.models import AnswerRow, AssessmentRow, AttemptRow, UserRow
from storage.repository import SqlStore

DAY = datetime(2026, 12, 1, 9, tzinfo=UTC)


def sitting(
    assessment_id: int, competence: str, status: str, at: datetime, level: int | None = None
) -> list[Any]:
    """A test with one answered challenge, ``at``."""
    return [
        AssessmentRow(
            id=assessment_id,
            user_id=7,
            competence=competence,
            engine="irt",
            seed=1,
            status=status,
            started_at=at - timedelta(minutes=5),
            finished_at=at if status == "completed" else None,
            pix=None if level is None else 8 * level,
            level=level,
        ),
        AttemptRow(
            id=assessment_id,
            token=f"t{assessment_id}",
            assessment_id=assessment_id,
            user_id=7,
            challenge_id="c11-x-1a",
            position=1,
            language="en",
            served_at=at - timedelta(minutes=1),
        ),
        AnswerRow(
            attempt_id=assessment_id,
            user_id=7,
            challenge_id="c11-x-1a",
            value="1",
            correct=True,
            answered_at=at,
        ),
    ]


async def test_the_latest_results_and_their_last_answers_are_one_statement(
    database: AsyncEngine,
) -> None:
    async with session_factory(database)() as session:
        session.add(UserRow(id=7, language="en", created_at=DAY, updated_at=DAY))
        await session.flush()
        rows = [
            *sitting(1, "1.1", "completed", DAY, level=2),
            *sitting(2, "1.1", "completed", DAY + timedelta(days=5), level=3),
            # A retest left unfinished: its answer is the competence's last activity.
            *sitting(3, "1.1", "abandoned", DAY + timedelta(days=6)),
            *sitting(4, "1.2", "completed", DAY + timedelta(days=2), level=1),
            *sitting(5, "review", "completed", DAY + timedelta(days=7)),
        ]
        for row in rows:  # one at a time: each row needs the one before it
            session.add(row)
            await session.flush()
        await session.commit()

    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.sync_engine, "before_cursor_execute", record)
    try:
        async with session_factory(database)() as session:
            results = await SqlStore(session).latest_results(7)
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", record)

    assert len([s for s in statements if not s.startswith("BEGIN")]) == 1, statements
    assert set(results) == {"1.1", "1.2"}  # a review has no result
    latest = results["1.1"]
    assert (latest.assessment_id, latest.level) == (2, 3)
    assert latest.finished_at == DAY + timedelta(days=5)
    assert latest.last_activity == DAY + timedelta(days=6)
    assert results["1.2"].last_activity == results["1.2"].finished_at == DAY + timedelta(days=2)
