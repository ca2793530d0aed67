"""Alembic environment: runs on the connection handed over by storage.database.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.tables import metadata

config = context.config
target_metadata = metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `pixbot db upgrade`")
run_migrations(connection)
