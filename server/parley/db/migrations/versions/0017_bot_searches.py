"""bot searches: the bot's own knowledge-base searches are logged, with its verdict

``search_log.answered`` is the bot's verdict on the question it searched for (true: it
answered confidently; false: it was unsure or found nothing); null for every other source. The
knowledge report lists the questions the bot left unanswered from it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_log") as batch_op:
        batch_op.add_column(sa.Column("answered", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("search_log") as batch_op:
        batch_op.drop_column("answered")
