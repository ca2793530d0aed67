"""assessments.seen_before: the challenges a learner had met when a test started

Read once at the start instead of at every answer (the engine's state keeps it unchanged while
the test runs). NULL for tests started before: they read it as before.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_before", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("seen_before")
