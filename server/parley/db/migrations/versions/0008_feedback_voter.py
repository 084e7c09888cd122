"""feedback voter: one "helpful" vote per voter and article, anonymous readers included

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_feedback") as batch_op:
        batch_op.add_column(sa.Column("voter", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kb_feedback") as batch_op:
        batch_op.drop_column("voter")
