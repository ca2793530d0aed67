"""An update's claim reads its person's row in the same statement, on both databases (issue 19:
on SQLite a statement is a trip to aiosqlite's thread, half a millisecond of CPU)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.ports import User
from storage.database import session_factory
from storage.repository import SqlStore

NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)


async def claim(database: AsyncEngine, update_id: int, user_id: int) -> tuple[bool, Any, int]:
    """The claim's result and how many statements it sent, in a transaction of its own."""
    sent: list[str] = []

    def count(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):
            sent.append(statement)

    event.listen(database.sync_engine, "before_cursor_execute", count)
    try:
        async with session_factory(database)() as session:
            store = SqlStore(session)
            claimed, user = await store.claim_update_of(update_id, NOW, user_id)
            await store.commit()
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", count)
    return claimed, user, len(sent)


async def test_a_claim_reads_the_person_in_the_same_statement(database: AsyncEngine) -> None:
    # Someone new: claimed, nobody to read.
    assert await claim(database, 1, 42) == (True, None, 1)
    reminder = datetime(2026, 12, 9, 17, tzinfo=UTC)
    async with session_factory(database)() as session:
        store = SqlStore(session)
        await store.add_user(
            User(
                id=42,
                language="fr",
                language_chosen=True,
                first_name="Zoé <b>",
                timezone="Europe/Paris",
                reminders=True,
                reminder_hour=18,
                next_reminder_at=reminder,
                streak_days=3,
                streak_last_day=date(2026, 12, 7),
            ),
            NOW,
        )
        await store.commit()
    claimed, user, statements = await claim(database, 2, 42)
    assert claimed and statements == 1
    assert isinstance(user, User)
    assert (user.id, user.language, user.language_chosen, user.first_name) == (
        42,
        "fr",
        True,
        "Zoé <b>",
    )
    assert (user.timezone, user.reminders, user.reminder_hour) == ("Europe/Paris", True, 18)
    assert user.next_reminder_at == reminder  # aware, as stored
    assert (user.streak_days, user.streak_last_day, user.active) == (3, date(2026, 12, 7), True)
    # The same update again (Telegram redelivers it): not claimed, so not handled.
    claimed, _, statements = await claim(database, 2, 42)
    assert not claimed and statements == 1
