"""INSERT ... ON CONFLICT for SQLite and PostgreSQL: one statement where a SAVEPOINT, an
INSERT and a RELEASE (or an UPDATE then an INSERT) were needed, and no aborted transaction
when a concurrent writer got there first.

Each statement is built once per dialect and table and takes its values as parameters:
building one costs about as much as running it (`pixbot bench updates`, profiled)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import CursorResult, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert


def _insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")  # pragma: no cover


@cache
def _insert_new(dialect: str, table: Table) -> Insert:
    return _insert(dialect, table).on_conflict_do_nothing().returning(*table.primary_key)  # type: ignore[no-any-return]


@cache
def _upsert(dialect: str, table: Table, key: tuple[str, ...], update: tuple[str, ...]) -> Insert:
    statement = _insert(dialect, table)
    excluded = statement.excluded
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(key), set_={column: excluded[column] for column in update}
    )


@cache
def _count_up(
    dialect: str, table: Table, key: tuple[str, ...], column: str, update: tuple[str, ...]
) -> Insert:
    statement = _insert(dialect, table)
    excluded = statement.excluded
    changes: dict[str, Any] = {name: excluded[name] for name in update}
    changes[column] = table.c[column] + 1
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(key), set_=changes
    )


def table_of(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def run(
    session: AsyncSession, statement: Executable, values: Any = None
) -> CursorResult[Any]:
    """``statement`` on the session's connection and transaction, past the ORM: the hot path's
    statements read and write plain rows, and the ORM's own work for them (its compile state,
    entity loading, bulk persistence) cost more CPU than the round trip (issue 19, profiled)."""
    if session.new or session.dirty or session.deleted:  # what Session.execute's autoflush does
        await session.flush()
    connection = await session.connection()
    return await connection.execute(statement, values)


async def insert_new(
    session: AsyncSession, model: type[DeclarativeBase], values: Mapping[str, Any]
) -> Any | None:
    """Insert a row unless one with the same key (any unique constraint) exists: the new
    row's primary key, or None when it existed. A concurrent insert of the same key waits for
    the other transaction, as the plain INSERT did."""
    dialect = session.get_bind().dialect.name
    result = await run(session, _insert_new(dialect, table_of(model)), dict(values))
    return result.scalar()


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert a row, or set the ``update`` columns of the row with the same unique ``key``."""
    dialect = session.get_bind().dialect.name
    statement = _upsert(dialect, table_of(model), tuple(key), tuple(update))
    await run(session, statement, dict(values))


async def count_up(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    key: Sequence[str],
    column: str,
    update: Sequence[str] = (),
) -> None:
    """Insert a row whose ``column`` is 1, or add 1 to ``column`` of the row with the same
    unique ``key`` (and set its ``update`` columns): a counter two processes can bump at once."""
    dialect = session.get_bind().dialect.name
    statement = _count_up(dialect, table_of(model), tuple(key), column, tuple(update))
    await run(session, statement, {**values, column: 1})
