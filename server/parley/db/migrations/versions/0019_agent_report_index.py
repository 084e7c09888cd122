"""agent report index: an episode's events of one type, holding the agent

The agents' report pairs each episode with the agents assigned in it and asks whether each of
them wrote its first response; the agent filter of every report asks whether an agent was
assigned in an episode. Both look up events by type, conversation and episode, and read only
the agent: with this index the database answers them from the index alone instead of reading
every event of the conversation (benchmarks/reports.py measured it).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_conversation_events_type_episode",
        "conversation_events",
        ["type", "conversation_id", "episode", "agent_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_events_type_episode", "conversation_events")
