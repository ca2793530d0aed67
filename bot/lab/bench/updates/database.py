"""Where a run stores, whatever the runtime: a temporary SQLite file, a SQLite file given, or a
fresh schema in a PostgreSQL database; and what a run finds and leaves in it."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.lab.bench.updates.learners import FIRST_USER

SQLITE: Final = "sqlite"  # --database-url sqlite: a temporary SQLite file


@dataclass
class Database:
    """Where one run stores: a temporary SQLite file, a SQLite file given, or a fresh schema in
    a PostgreSQL database (dropped afterwards)."""

    url: str
    label: str
    folder: str | None = None
    schema: str | None = None

    @classmethod
    def open(cls, url: str) -> Database:
        if url == SQLITE:
            folder = tempfile.mkdtemp(prefix="pixbot-bench-")
            path = os.path.join(folder, "bench.db")
            return cls(f"sqlite+aiosqlite:///{path}", SQLITE, folder=folder)
        backend = make_url(url).get_backend_name()
        if backend == "postgresql":
            return cls(url, backend, schema=f"pixbot_bench_{secrets.token_hex(4)}")
        return cls(url, backend)

    def engine(self) -> AsyncEngine:
        from storage.database import create_engine

        if self.schema is None:
            return create_engine(self.url)
        # Every connection works in the bench's own schema: the database's tables stay apart.
        return create_engine(
            self.url, connect_args={"server_settings": {"search_path": self.schema}}
        )

    async def create(self) -> None:
        if self.schema is not None:
            await self.admin(f'CREATE SCHEMA "{self.schema}"')

    async def drop(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.schema is not None:
            await self.admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    async def admin(self, statement: str, autocommit: bool = False) -> None:
        """One statement on the database itself, outside the bench's schema (``autocommit``:
        outside a transaction, as CREATE DATABASE must be)."""
        from storage.database import create_engine

        options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
        admin = create_engine(self.url, **options)
        try:
            async with admin.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await admin.dispose()


async def first_ids(engine: AsyncEngine) -> tuple[int, int]:
    """Update and user ids above those already stored (the bot handles an update id once)."""
    from storage.models import ProcessedUpdateRow, UserRow

    async with engine.connect() as connection:
        last_update = await connection.scalar(select(func.max(ProcessedUpdateRow.update_id)))
        last_user = await connection.scalar(select(func.max(UserRow.id)))
    return int(last_update or 0) + 1, max(FIRST_USER, int(last_user or 0) + 1)


async def stored_counts(engine: AsyncEngine) -> dict[str, int]:
    from storage.models import AnswerRow, AssessmentRow, UserRow

    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for name, row in (
            ("users", UserRow),
            ("assessments", AssessmentRow),
            ("answers", AnswerRow),
        ):
            count = await connection.scalar(select(func.count()).select_from(row))
            counts[name] = int(count or 0)
    return counts
