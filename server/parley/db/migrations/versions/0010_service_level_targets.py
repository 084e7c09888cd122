"""service-level targets: admin-set response targets and the breaches recorded once each

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_targets",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("applies_to", sa.String(16), nullable=False),
        sa.Column("applies_value", sa.String(60), nullable=True),
        sa.Column("first_response_seconds", sa.Integer(), nullable=True),
        sa.Column("next_response_seconds", sa.Integer(), nullable=True),
        sa.Column("business_hours", sa.Boolean(), nullable=False),
        sa.Column("escalation", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sla_targets"),
    )
    op.create_table(
        "sla_breaches",
        sa.Column("conversation_id", sa.String(40), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_sla_breaches_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "episode", "kind", "started_at", name="pk_sla_breaches"
        ),
    )


def downgrade() -> None:
    op.drop_table("sla_breaches")
    op.drop_table("sla_targets")
