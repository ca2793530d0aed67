"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision (tests/integration/test_migrations.py holds it to alembic's
# head): a database already there is checked with one query, without loading alembic (34 MB
# in every worker, which only ever needed it to find nothing to do).
SCHEMA_HEAD: Final = "0014"
# Any constant: processes starting together take this PostgreSQL lock to migrate one at a time.
MIGRATION_LOCK: Final = 0x706978626F74  # "pixbot"
# An execution option: SQLite statements that commit on their own (see single_statements).
_NO_BEGIN: Final = "pixbot_no_begin"
log = logging.getLogger(__name__)


def create_engine(url: str, **options: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping (three round trips per use): a connection dropped by a database restart
        # fails once and the pool is renewed; updates then retry (bot/serving/updates.py).
        return create_async_engine(url, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions (pysqlite's own handling breaks SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The wait first: switching a new file to WAL takes a lock that another process
        # migrating it holds, and without a busy timeout SQLite fails at once ("locked").
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so two writers wait instead of failing.
        if not connection.get_execution_options().get(_NO_BEGIN):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def single_statements(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` whose statements each take effect at once, with no BEGIN nor COMMIT around
    them (two round trips fewer): for a write that stands alone."""
    if engine.dialect.name == "sqlite":  # pysqlite already autocommits without our BEGIN
        return engine.execution_options(**{_NO_BEGIN: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply the migrations on ``engine`` (idempotent); processes starting together migrate
    one at a time (a PostgreSQL advisory lock, a lock file beside a SQLite database)."""

    if revision == "head" and await schema_revision(engine) == SCHEMA_HEAD:
        log.info("database schema is at %s", revision)
        return

    def _upgrade(connection: Connection) -> None:
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with _sqlite_migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until commit: a second worker waits, then finds the schema at head.
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        await connection.run_sync(_upgrade)
    log.info("database schema is at %s", revision)


async def schema_revision(engine: AsyncEngine) -> str | None:
    """The revision ``engine``'s database is at; None when it has none (a new database)."""
    try:
        async with engine.connect() as connection:
            query = text("SELECT version_num FROM alembic_version")
            return (await connection.execute(query)).scalar_one_or_none()
    except DBAPIError:  # no alembic_version table yet
        return None


@asynccontextmanager
async def _sqlite_migration_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """An exclusive lock on ``<database>.migrate.lock`` while this process migrates a SQLite
    file. SQLite's own locks are not enough: a second process opening the new file while the
    first migrates it can meet a lock it cannot wait for (switching it to WAL), and fails
    with "database is locked". Without fcntl (Windows) there is no lock."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    import fcntl

    def acquire() -> IO[str]:
        name = Path(database).expanduser().resolve()
        lock = name.with_name(name.name + ".migrate.lock").open("a")
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits for the process migrating now
        return lock

    lock = await asyncio.to_thread(acquire)
    try:
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
