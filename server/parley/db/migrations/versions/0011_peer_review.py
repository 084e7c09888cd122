"""peer review: versioned scorecards, weekly review assignments and the reviews

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_scorecards",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["agents.id"],
            name="fk_review_scorecards_created_by_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_review_scorecards"),
    )
    op.create_table(
        "review_assignments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("reviewer_id", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.String(40), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(40), nullable=False),
        sa.Column("team_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["agents.id"],
            name="fk_review_assignments_reviewer_id_agents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_review_assignments_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name="fk_review_assignments_agent_id_agents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_review_assignments"),
        sa.UniqueConstraint(
            "reviewer_id", "conversation_id", "episode", name="uq_review_assignments_reviewer_id"
        ),
    )
    op.create_index("ix_review_assignments_week", "review_assignments", ["week", "reviewer_id"])
    op.create_table(
        "reviews",
        sa.Column("assignment_id", sa.String(40), nullable=False),
        sa.Column("scorecard_id", sa.String(40), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["review_assignments.id"],
            name="fk_reviews_assignment_id_review_assignments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["review_scorecards.id"],
            name="fk_reviews_scorecard_id_review_scorecards",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name="pk_reviews"),
    )


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("review_assignments")
    op.drop_table("review_scorecards")
