"""reply experiments: A/B variants of a saved reply and each conversation's sticky pick

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_experiments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("saved_reply_id", sa.String(40), nullable=False),
        sa.Column("started_by", sa.String(40), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("winner", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["saved_reply_id"],
            ["saved_replies.id"],
            name="fk_reply_experiments_saved_reply_id_saved_replies",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["agents.id"],
            name="fk_reply_experiments_started_by_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reply_experiments"),
    )
    op.create_index("ix_reply_experiments_saved_reply_id", "reply_experiments", ["saved_reply_id"])
    op.create_table(
        "reply_variants",
        sa.Column("experiment_id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["reply_experiments.id"],
            name="fk_reply_variants_experiment_id_reply_experiments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("experiment_id", "number", name="pk_reply_variants"),
    )
    op.create_table(
        "reply_variant_picks",
        sa.Column("experiment_id", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.String(40), nullable=False),
        sa.Column("variant", sa.Integer(), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["reply_experiments.id"],
            name="fk_reply_variant_picks_experiment_id_reply_experiments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_reply_variant_picks_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("experiment_id", "conversation_id", name="pk_reply_variant_picks"),
    )


def downgrade() -> None:
    op.drop_table("reply_variant_picks")
    op.drop_table("reply_variants")
    op.drop_table("reply_experiments")
