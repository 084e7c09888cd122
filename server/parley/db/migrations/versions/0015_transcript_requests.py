"""transcript requests: the address a visitor asked to be mailed an episode's transcript at

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "conversation_episodes", sa.Column("transcript_to", sa.String(254), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("conversation_episodes", "transcript_to")
