"""Several workers starting together each migrate at start: they must not trip over each other.
The migrations build the schema the tables describe, every table module's included."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, DateTime, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import MIGRATIONS, SCHEMA_HEAD, create_engine, schema_revision, upgrade
from storage.tables import metadata
from tests.conftest import DATABASES, POSTGRES_URL, reset_postgres


@pytest.mark.parametrize("kind", DATABASES)
async def test_two_processes_migrating_at_once_both_succeed(kind: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}" if kind == "sqlite" else POSTGRES_URL
    if kind == "postgresql":
        await reset_postgres()
    engines = [create_engine(url) for _ in range(3)]
    try:
        # Without the migration lock, PostgreSQL workers block each other's DDL: bound the wait.
        await asyncio.wait_for(asyncio.gather(*(upgrade(engine) for engine in engines)), 60)
        async with engines[0].connect() as connection:
            query = text("SELECT version_num FROM alembic_version")
            versions = (await connection.execute(query)).all()
    finally:
        for engine in engines:
            await engine.dispose()
    assert len(versions) == 1


async def test_the_migrated_schema_is_the_one_the_tables_describe(database: AsyncEngine) -> None:
    """Alembic's autogenerate, as on a new migration, sees every table and finds nothing to
    add: a table module missing from storage.tables would show as tables to drop."""

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with database.connect() as connection:
        found = await connection.run_sync(differences)
    assert found == []
    assert {
        "users",
        "campaigns",
        "deliveries",
        "groups",
        "group_admins",
        "challenge_reports",
        "rejected_answers",
    } <= set(metadata.tables)


def test_the_schema_head_is_alembics() -> None:
    """upgrade() skips alembic for a database at SCHEMA_HEAD: it must be the newest migration."""
    from alembic.script import ScriptDirectory

    from storage.database import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD
    assert MIGRATIONS.is_dir()


async def test_a_database_at_head_is_recognised_and_a_new_one_migrated(
    database: AsyncEngine, tmp_path: Path
) -> None:
    """The ``database`` fixture is migrated: one query says so; a new SQLite file has no
    revision until upgrade() runs alembic on it."""
    assert await schema_revision(database) == SCHEMA_HEAD
    await upgrade(database)  # at head: nothing to do
    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        assert await schema_revision(fresh) is None
        await upgrade(fresh)
        assert await schema_revision(fresh) == SCHEMA_HEAD
    finally:
        await fresh.dispose()


@pytest.mark.parametrize("kind", DATABASES)
async def test_a_group_set_up_before_0013_keeps_its_schedule(kind: str, tmp_path: Path) -> None:
    """Issue 20: a group's row from before the school-days migration reads as before: every
    day, never paused, named quizzes open until 23:59, no weekly post; its hours stay."""
    from storage.database import session_factory
    from storage.repository import SqlStore

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}" if kind == "sqlite" else POSTGRES_URL
    if kind == "postgresql":
        await reset_postgres()
    engine = create_engine(url)
    try:
        await upgrade(engine, "0012")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO groups (chat_id, title, active, language, timezone, tip_enabled,"
                    " tip_hour, topics, audience, level, quiz_enabled, quiz_hour, added_at,"
                    " updated_at) VALUES (-100777, 'Class 5B', true, 'fr', 'Europe/Paris', true,"
                    " 9, '[]', 'pupils', 'basic', true, 14, :now, :now)"
                ).bindparams(bindparam("now", type_=DateTime(timezone=True))),
                {"now": datetime(2026, 11, 25, 9, tzinfo=UTC)},
            )
        await upgrade(engine)
        async with session_factory(engine)() as session:
            group = await SqlStore(session).get_group(-100777)
    finally:
        await engine.dispose()
    assert group is not None
    assert (group.tip_enabled, group.tip_hour, group.quiz_hour) == (True, 9, 14)
    assert (group.school_days, group.paused_until, group.weekly_board) == (False, None, False)
    assert (group.quiz_anonymous, group.quiz_open_hours, group.next_board_at) == (False, 0, None)


@pytest.mark.parametrize("kind", DATABASES)
async def test_a_campaign_from_before_0014_asks_for_nothing(kind: str, tmp_path: Path) -> None:
    """Issue 21: a campaign and its participation from before the identifiers read as before:
    no identifier asked, none typed, never reminded; the class report reads them."""
    from bot.core.campaigns.report import Status, class_report
    from content.loader import load_bank
    from storage.database import session_factory
    from storage.repository import SqlStore
    from tests.conftest import FIXTURES

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}" if kind == "sqlite" else POSTGRES_URL
    if kind == "postgresql":
        await reset_postgres()
    engine = create_engine(url)
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    stamp = bindparam("now", type_=DateTime(timezone=True))
    try:
        await upgrade(engine, "0013")
        async with engine.begin() as connection:
            for statement in (
                "INSERT INTO users (id, language, language_chosen, first_name, created_at,"
                " updated_at) VALUES (1, 'en', false, 'Grace', :now, :now),"
                " (2, 'fr', false, 'Léa', :now, :now)",
                "INSERT INTO campaigns (id, code, name, owner_id, competences, created_at)"
                " VALUES (7, 'ABCDEF123', '5B', 1, '[\"4.1\"]', :now)",
                "INSERT INTO participations (id, campaign_id, user_id, number, consented_at)"
                " VALUES (3, 7, 2, 1, :now)",
            ):
                await connection.execute(text(statement).bindparams(stamp), {"now": now})
        await upgrade(engine)
        async with session_factory(engine)() as session:
            store = SqlStore(session)
            campaign = await store.campaign_by_code("ABCDEF123")
            assert campaign is not None
            participation = await store.participation(campaign.id, 2)
            report = await class_report(store, load_bank(FIXTURES / "content"), campaign, "en")
            reminded = await store.claim_campaign_reminder(campaign.id, now.date())
    finally:
        await engine.dispose()
    assert campaign.identifier_label is None
    assert participation is not None and participation.identifier is None
    [row] = report.learners
    assert (row.name, row.identifier, row.status) == ("Léa", None, Status.JOINED)
    assert reminded  # never reminded before
