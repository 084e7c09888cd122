"""labels: the team's managed list (colour, description), back-filled from conversations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DEFAULT_COLOUR = "grey"  # frozen here: the palette may change, this migration may not


def upgrade() -> None:
    labels = op.create_table(
        "labels",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("colour", sa.String(16), nullable=False),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["agents.id"],
            name="fk_labels_created_by_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_labels"),
        sa.UniqueConstraint("name", name="uq_labels_name"),
    )
    # Every label already on a conversation joins the list (names were stored cleaned).
    in_use = sa.table("conversation_labels", sa.column("label", sa.String))
    names = op.get_bind().execute(sa.select(in_use.c.label).distinct()).scalars().all()
    if names:
        now = datetime.now(UTC)
        op.bulk_insert(
            labels,
            [
                {
                    "id": f"lbl_{secrets.token_hex(10)}",
                    "name": name,
                    "colour": DEFAULT_COLOUR,
                    "description": None,
                    "created_by": None,
                    "created_at": now,
                }
                for name in sorted(names)
            ],
        )


def downgrade() -> None:
    op.drop_table("labels")
