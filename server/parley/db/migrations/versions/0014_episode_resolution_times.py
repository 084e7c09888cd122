"""episode resolution times: each resolved episode keeps its opening-to-resolution time, and
the reports' indexes cover what they read

The reports' resolution percentiles read these instead of recomputing business hours for every
episode on every request (benchmarks/reports.py measured that as most of the overview's time).
Episodes resolved before this migration get their wall-clock time; their business-hours time
stays unknown (null), since the hours in force back then are not known here.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 1000
COVERING = {
    "ix_conversation_episodes_opened_at": [
        "opened_at",
        "number",
        "handoff_at",
        "first_assigned_at",
    ],
    "ix_conversation_episodes_resolved_at": [
        "resolved_at",
        "first_assigned_at",
        "self_served",
        "rating",
        "resolution_seconds",
        "resolution_business_seconds",
    ],
    "ix_conversation_episodes_first_response_at": [
        "first_response_at",
        "first_response_seconds",
        "first_response_business_seconds",
    ],
}


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def upgrade() -> None:
    op.add_column(
        "conversation_episodes", sa.Column("resolution_seconds", sa.Float(), nullable=True)
    )
    op.add_column(
        "conversation_episodes",
        sa.Column("resolution_business_seconds", sa.Float(), nullable=True),
    )
    # The reports' indexes hold the columns they read (benchmarks/reports.py measured it).
    op.drop_index("ix_conversation_episodes_opened_at", "conversation_episodes")
    op.drop_index("ix_conversation_episodes_resolved_at", "conversation_episodes")
    for name, columns in COVERING.items():
        op.create_index(name, "conversation_episodes", columns)
    episodes = sa.table(
        "conversation_episodes",
        sa.column("conversation_id", sa.String),
        sa.column("number", sa.Integer),
        sa.column("opened_at", sa.DateTime(timezone=True)),
        sa.column("resolved_at", sa.DateTime(timezone=True)),
        sa.column("resolution_seconds", sa.Float),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            episodes.c.conversation_id,
            episodes.c.number,
            episodes.c.opened_at,
            episodes.c.resolved_at,
        ).where(episodes.c.resolved_at.is_not(None))
    ).all()
    change = (
        sa.update(episodes)
        .where(
            episodes.c.conversation_id == sa.bindparam("cid"),
            episodes.c.number == sa.bindparam("num"),
        )
        .values(resolution_seconds=sa.bindparam("seconds"))
    )
    for start in range(0, len(rows), BATCH):
        bind.execute(
            change,
            [
                {
                    "cid": cid,
                    "num": number,
                    "seconds": (_utc(resolved) - _utc(opened)).total_seconds(),
                }
                for cid, number, opened, resolved in rows[start : start + BATCH]
            ],
        )


def downgrade() -> None:
    for name in COVERING:
        op.drop_index(name, "conversation_episodes")
    op.create_index("ix_conversation_episodes_opened_at", "conversation_episodes", ["opened_at"])
    op.create_index(
        "ix_conversation_episodes_resolved_at", "conversation_episodes", ["resolved_at"]
    )
    op.drop_column("conversation_episodes", "resolution_business_seconds")
    op.drop_column("conversation_episodes", "resolution_seconds")
