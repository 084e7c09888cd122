"""mail: the durable outbox, a message's way in (``via``), an agent's mail switch

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(40), nullable=True),
        sa.Column("agent_id", sa.String(40), nullable=True),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(40), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient", sa.String(254), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("reply_to", sa.String(254), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_mail_outbox_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name="fk_mail_outbox_agent_id_agents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_mail_outbox_dedupe_key"),
    )
    op.create_index("ix_mail_outbox_status_due", "mail_outbox", ["status", "due_at"])
    op.create_index("ix_mail_outbox_conversation", "mail_outbox", ["conversation_id"])
    # Plain ADD COLUMN on both databases (no batch rebuild: see 0006 on why).
    op.add_column("messages", sa.Column("via", sa.String(16), nullable=True))
    op.add_column(
        "agents",
        sa.Column("mail_enabled", sa.Boolean(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    op.drop_column("agents", "mail_enabled")
    op.drop_column("messages", "via")
    op.drop_index("ix_mail_outbox_conversation", table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_status_due", table_name="mail_outbox")
    op.drop_table("mail_outbox")
