"""groups: school days, a pause until a date, the weekly leaderboard, anonymous quizzes and
how long a quiz stays open; quiz_polls: the poll's message, when the bot closes it and its
final tally

Existing groups keep their schedule: every day, never paused, no weekly post, named quizzes
open until the end of the day.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("school_days", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("quiz_anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("quiz_open_hours", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("weekly_board", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("next_board_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_groups_next_board_at"), ["next_board_at"], unique=False
        )
    with op.batch_alter_table("quiz_polls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("close_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answered", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answered_right", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz_polls", schema=None) as batch_op:
        for name in ("answered_right", "answered", "close_at", "message_id"):
            batch_op.drop_column(name)
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_next_board_at"))
        for name in (
            "next_board_at",
            "weekly_board",
            "quiz_open_hours",
            "quiz_anonymous",
            "paused_until",
            "school_days",
        ):
            batch_op.drop_column(name)
