"""library: group administrators seen, for "send to my group"

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_admins",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["groups.chat_id"],
            name=op.f("fk_group_admins_chat_id_groups"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "user_id", name=op.f("pk_group_admins")),
    )
    with op.batch_alter_table("group_admins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_admins_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("group_admins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_admins_user_id"))
    op.drop_table("group_admins")
