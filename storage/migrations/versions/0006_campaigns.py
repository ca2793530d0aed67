"""campaigns

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user_fk(table: str, column: str = "user_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "educators",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("educators"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_educators")),
    )
    op.create_table(
        "campaign_drafts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("competences", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("campaign_drafts"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_campaign_drafts")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("competences", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        _user_fk("campaigns", "owner_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("code", name=op.f("uq_campaigns_code")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "participations",
        sa.Column("id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_participations_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        _user_fk("participations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participations")),
        sa.UniqueConstraint("campaign_id", "user_id", name="uq_participations_campaign_user"),
        sa.UniqueConstraint("campaign_id", "number", name="uq_participations_campaign_number"),
    )
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "participation_assessments",
        sa.Column("participation_id", ID, nullable=False),
        sa.Column("assessment_id", ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("competence", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participations.id"],
            name=op.f("fk_participation_assessments_participation_id_participations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_participation_assessments_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        _user_fk("participation_assessments"),
        sa.PrimaryKeyConstraint(
            "participation_id", "assessment_id", name=op.f("pk_participation_assessments")
        ),
    )
    with op.batch_alter_table("participation_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_assessments_assessment_id"),
            ["assessment_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_participation_assessments_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("participation_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_assessments_user_id"))
        batch_op.drop_index(batch_op.f("ix_participation_assessments_assessment_id"))
    op.drop_table("participation_assessments")
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participations_user_id"))
    op.drop_table("participations")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_owner_id"))
    op.drop_table("campaigns")
    op.drop_table("campaign_drafts")
    op.drop_table("educators")
