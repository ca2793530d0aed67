"""Several workers starting together each migrate at start: they must not trip over each other."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import create_engine, upgrade
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
