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

from storage.database import create_engine, upgrade
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
