"""Statements run past the ORM (`storage.upsert.run`) still see what the same session added
through the ORM: pending objects are flushed first, as Session.execute's autoflush does."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import session_factory
from storage.models import SavedTutorialRow, UserRow
from storage.upsert import insert_new, run

NOW = datetime(2026, 12, 7, tzinfo=UTC)


async def test_a_row_added_through_the_orm_is_there_for_the_next_statement(
    database: AsyncEngine,
) -> None:
    async with session_factory(database)() as session:
        session.add(UserRow(id=42, language="en", created_at=NOW, updated_at=NOW))
        # A row that needs the user (a foreign key): the user must reach the database first.
        values = {"user_id": 42, "tutorial_id": "t11-x", "saved_at": NOW}
        assert await insert_new(session, SavedTutorialRow, values) is not None
        users = await run(session, select(func.count()).select_from(UserRow))
        assert users.scalar() == 1
        await session.commit()
