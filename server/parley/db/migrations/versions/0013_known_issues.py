"""known issues: an issue, the conversations it affects, and who was told of its fix

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_issues",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("tracker_url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fixed_by", sa.String(40), nullable=True),
        sa.Column("fix_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["agents.id"],
            name="fk_known_issues_created_by_agents",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fixed_by"], ["agents.id"], name="fk_known_issues_fixed_by_agents", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_known_issues"),
    )
    op.create_table(
        "known_issue_links",
        sa.Column("issue_id", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.String(40), nullable=False),
        sa.Column("linked_by", sa.String(40), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["known_issues.id"],
            name="fk_known_issue_links_issue_id_known_issues",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_known_issue_links_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by"],
            ["agents.id"],
            name="fk_known_issue_links_linked_by_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("issue_id", "conversation_id", name="pk_known_issue_links"),
    )
    op.create_index("ix_known_issue_links_conversation", "known_issue_links", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_known_issue_links_conversation", table_name="known_issue_links")
    op.drop_table("known_issue_links")
    op.drop_table("known_issues")
