"""feedback: learners' reports on challenges, rejected typed answers counted anonymously

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "challenge_reports",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("challenge_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("text", sa.String(length=300), nullable=True),
        sa.Column("awaiting_text", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_challenge_reports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_reports")),
        sa.UniqueConstraint("user_id", "challenge_id", name=op.f("uq_challenge_reports_user_id")),
    )
    with op.batch_alter_table("challenge_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_challenge_reports_challenge_id"), ["challenge_id"], unique=False
        )
    op.create_table(
        "rejected_answers",
        sa.Column("id", ID, nullable=False),
        sa.Column("challenge_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("field", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=100), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_answers")),
        sa.UniqueConstraint(
            "challenge_id",
            "language",
            "field",
            "answer",
            name=op.f("uq_rejected_answers_challenge_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("rejected_answers")
    with op.batch_alter_table("challenge_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_reports_challenge_id"))
    op.drop_table("challenge_reports")
