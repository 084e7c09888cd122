"""saved replies grown up: personal and team replies, tags, attached images and GIFs

Whose a reply is lives in a table of its own rather than in new columns of ``saved_replies``:
SQLite cannot add a named foreign key to an existing table without rebuilding it, and
rebuilding ``saved_replies`` would drop it, which with foreign keys on cascades to its tests
(see 0006).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null for the replies saved before tags (PostgreSQL cannot compare a JSON default).
    op.add_column("saved_replies", sa.Column("tags", sa.JSON(), nullable=True))
    op.create_table(
        "saved_reply_scopes",
        sa.Column("saved_reply_id", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.String(40), nullable=True),
        sa.Column("team_id", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["saved_reply_id"],
            ["saved_replies.id"],
            name="fk_saved_reply_scopes_saved_reply_id_saved_replies",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["agents.id"],
            name="fk_saved_reply_scopes_owner_id_agents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name="fk_saved_reply_scopes_team_id_teams",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("saved_reply_id", name="pk_saved_reply_scopes"),
    )
    op.create_index("ix_saved_reply_scopes_owner_id", "saved_reply_scopes", ["owner_id"])
    op.create_index("ix_saved_reply_scopes_team_id", "saved_reply_scopes", ["team_id"])
    op.create_table(
        "saved_reply_attachments",
        sa.Column("saved_reply_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_reply_id"],
            ["saved_replies.id"],
            name="fk_saved_reply_attachments_saved_reply_id_saved_replies",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name="fk_saved_reply_attachments_attachment_id_attachments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("saved_reply_id", "position", name="pk_saved_reply_attachments"),
        sa.UniqueConstraint("attachment_id", name="uq_saved_reply_attachments_attachment_id"),
    )


def downgrade() -> None:
    op.drop_table("saved_reply_attachments")
    op.drop_index("ix_saved_reply_scopes_team_id", table_name="saved_reply_scopes")
    op.drop_index("ix_saved_reply_scopes_owner_id", table_name="saved_reply_scopes")
    op.drop_table("saved_reply_scopes")
    op.drop_column("saved_replies", "tags")
