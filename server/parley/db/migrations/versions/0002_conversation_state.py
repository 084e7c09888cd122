"""conversation state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:40:27.771055
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_assigned_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_note_seq", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("visitor_read_seq", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("agent_read_seq", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("bot_misses", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follows_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("suggestions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("suggestions")
        batch_op.drop_column("follows_seq")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("bot_misses")
        batch_op.drop_column("agent_read_seq")
        batch_op.drop_column("visitor_read_seq")
        batch_op.drop_column("last_note_seq")

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("last_assigned_at")
