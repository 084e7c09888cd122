"""agent presence: each stretch an agent was online, for Reports → Agents' time online

Presence itself stays live (memory or Redis); this keeps its history, one row per stretch,
written by the housekeeping pass. Nothing before this migration was recorded, so time online
starts counting from it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_presence",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("agent_id", sa.String(40), nullable=False),
        sa.Column("online_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offline_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name="fk_agent_presence_agent_id_agents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agent_presence"),
    )
    op.create_index("ix_agent_presence_agent_online", "agent_presence", ["agent_id", "online_at"])
    op.create_index(
        "ix_agent_presence_open",
        "agent_presence",
        ["agent_id"],
        unique=True,
        sqlite_where=sa.text("offline_at IS NULL"),
        postgresql_where=sa.text("offline_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("agent_presence")
