"""campaigns and campaign_drafts: the identifier each learner is asked for when joining (Pix
Orga's external id, e.g. "Student number"); participations: what the learner typed

campaigns.reminded_on: the teacher's day of the last reminder to the learners who have not
finished (one a day); participations.identifier_asked_at: when the learner was asked to type it.

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
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_on", sa.Date(), nullable=True))
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identifier_asked_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.drop_column("identifier_asked_at")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("reminded_on")
    for table, column in (
        ("participations", "identifier"),
        ("campaign_drafts", "identifier_label"),
        ("campaigns", "identifier_label"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
