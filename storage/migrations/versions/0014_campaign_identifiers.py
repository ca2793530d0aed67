"""campaigns and campaign_drafts: the identifier each learner is asked for when joining (Pix
Orga's external id, e.g. "Student number"); participations: what the learner typed

Existing campaigns ask for nothing; existing participations have no identifier.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, column in (
        ("campaigns", "identifier_label"),
        ("campaign_drafts", "identifier_label"),
        ("participations", "identifier"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("participations", "identifier"),
        ("campaign_drafts", "identifier_label"),
        ("campaigns", "identifier_label"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
