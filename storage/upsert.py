"""INSERT ... ON CONFLICT for SQLite and PostgreSQL: one statement where a SAVEPOINT, an
INSERT and a RELEASE (or an UPDATE then an INSERT) were needed, and no aborted transaction
when a concurrent writer got there first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def _insert(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")  # pragma: no cover


async def insert_new(
    session: AsyncSession, model: type[DeclarativeBase], values: Mapping[str, Any]
) -> Any | None:
    """Insert a row unless one with the same key (any unique constraint) exists: the new
    row's primary key, or None when it existed. A concurrent insert of the same key waits for
    the other transaction, as the plain INSERT did."""
    key = model.__mapper__.primary_key[0]
    statement = _insert(session, model).values(**values).on_conflict_do_nothing().returning(key)
    return await session.scalar(statement)


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert a row, or set the ``update`` columns of the row with the same unique ``key``."""
    statement = _insert(session, model).values(**values)
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={column: excluded[column] for column in update}
        )
    )
