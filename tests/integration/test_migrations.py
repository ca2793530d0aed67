"""Several workers starting together each migrate at start: they must not trip over each other.
The migrations build the schema the tables describe, every table module's included."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
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
