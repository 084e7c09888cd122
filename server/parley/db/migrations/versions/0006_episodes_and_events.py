"""episodes and events: a conversation's life as episodes plus an append-only event log

Each existing conversation becomes one episode with what its columns knew (opened, queued,
first assignment, first response, resolved, self-served, rating), and the moments those columns
dated become events marked ``{"backfilled": true}``. What the old columns never recorded stays
unknown (null): who resolved, why it was handed off, when it was rated. The columns that a
reopen used to reset then leave ``conversations``; the conversation keeps the number of its
current episode.

Columns are dropped with ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35+), not a batch rebuild:
rebuilding ``conversations`` would drop it, and with foreign keys on that cascades to messages.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MOVED_COLUMNS = (
    "bot_misses",
    "self_served",
    "rating",
    "rating_comment",
    "first_response_at",
    "resolved_at",
)
BATCH = 1000


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def upgrade() -> None:
    episodes = op.create_table(
        "conversation_episodes",
        sa.Column("conversation_id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(16), nullable=False),
        sa.Column("bot_answers", sa.Integer(), nullable=False),
        sa.Column("bot_misses", sa.Integer(), nullable=False),
        sa.Column("handoff_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handoff_reason", sa.String(16), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_agent_id", sa.String(40), nullable=True),
        sa.Column("first_team_id", sa.String(40), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_seconds", sa.Float(), nullable=True),
        sa.Column("first_response_business_seconds", sa.Float(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(16), nullable=True),
        sa.Column("resolved_by_agent_id", sa.String(40), nullable=True),
        sa.Column("self_served", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_conversation_episodes_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_agent_id"],
            ["agents.id"],
            name="fk_conversation_episodes_first_agent_id_agents",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_team_id"],
            ["teams.id"],
            name="fk_conversation_episodes_first_team_id_teams",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_agent_id"],
            ["agents.id"],
            name="fk_conversation_episodes_resolved_by_agent_id_agents",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "number", name="pk_conversation_episodes"),
    )
    op.create_index("ix_conversation_episodes_opened_at", "conversation_episodes", ["opened_at"])
    op.create_index(
        "ix_conversation_episodes_resolved_at", "conversation_episodes", ["resolved_at"]
    )
    events = op.create_table(
        "conversation_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("conversation_id", sa.String(40), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=True),
        sa.Column("actor_id", sa.String(40), nullable=True),
        sa.Column("agent_id", sa.String(40), nullable=True),
        sa.Column("team_id", sa.String(40), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_conversation_events_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_events"),
    )
    op.create_index("ix_conversation_events_at", "conversation_events", ["at"])
    op.create_index("ix_conversation_events_type_at", "conversation_events", ["type", "at"])
    op.create_index(
        "ix_conversation_events_conversation_id", "conversation_events", ["conversation_id", "id"]
    )
    op.add_column(
        "conversations",
        sa.Column("episode", sa.Integer(), nullable=False, server_default="1"),
    )
    _backfill(episodes, events)
    for column in MOVED_COLUMNS:
        op.drop_column("conversations", column)


def _backfill(episodes: sa.Table, events: sa.Table) -> None:
    bind = op.get_bind()
    when = sa.DateTime(timezone=True)
    old = sa.table(
        "conversations",
        *(sa.column(name) for name in ("id", "status", "team_id", "assignee_id")),
        *(sa.column(name, when) for name in ("created_at", "queued_at", "assigned_at")),
        *(sa.column(name, when) for name in ("first_response_at", "resolved_at")),
        sa.column("bot_misses", sa.Integer),
        sa.column("self_served", sa.Boolean),
        sa.column("rating", sa.Integer),
        sa.column("rating_comment", sa.Text),
    )
    last_id = ""
    while True:
        rows = (
            bind.execute(sa.select(old).where(old.c.id > last_id).order_by(old.c.id).limit(BATCH))
            .mappings()
            .all()
        )
        if not rows:
            return
        last_id = rows[-1]["id"]
        episode_rows, event_rows = [], []
        for row in rows:
            episode, moments = _history(row)
            episode_rows.append(episode)
            event_rows.extend(moments)
        bind.execute(episodes.insert(), episode_rows)
        bind.execute(events.insert(), event_rows)


def _history(row: sa.RowMapping) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One conversation's columns as its first episode and the events they date."""
    created = _aware(row["created_at"])
    assert created is not None  # created_at is NOT NULL
    queued = _aware(row["queued_at"])
    assigned = _aware(row["assigned_at"])
    responded = _aware(row["first_response_at"])
    resolved = _aware(row["resolved_at"])
    agent = row["assignee_id"] if assigned else None
    team = row["team_id"] if assigned else None
    response_seconds = None
    if responded is not None:
        response_seconds = max(0.0, (responded - (queued or created)).total_seconds())
    episode = {
        "conversation_id": row["id"],
        "number": 1,
        "opened_at": created,
        "opened_by": "visitor",
        "bot_answers": 0,  # never counted before
        "bot_misses": row["bot_misses"] or 0,
        "handoff_at": queued,
        "handoff_reason": None,
        "queued_at": queued,
        "first_assigned_at": assigned,
        "first_agent_id": agent,
        "first_team_id": team,
        "first_response_at": responded,
        "first_response_seconds": response_seconds,
        "first_response_business_seconds": None,
        "resolved_at": resolved,
        "resolved_by": None,
        "resolved_by_agent_id": None,
        "self_served": row["self_served"] if resolved else None,
        "rating": row["rating"],
        "rating_comment": row["rating_comment"],
        "rated_at": None,
    }
    moments: list[tuple[str, datetime | None, dict[str, Any]]] = [
        ("created", created, {}),
        ("queued", queued, {}),
        ("assigned", assigned, {"how": None}),
        ("first_response", responded, {"seconds": response_seconds}),
        ("resolved", resolved, {"by": None, "self_served": episode["self_served"]}),
    ]
    if row["rating"] is not None:
        moments.append(("rated", resolved or created, {"score": row["rating"]}))
    events = [
        {
            "conversation_id": row["id"],
            "episode": 1,
            "type": kind,
            "at": at,
            "actor_kind": None,
            "actor_id": None,
            "agent_id": agent if kind in ("assigned", "first_response") else None,
            "team_id": team,
            "data": {**data, "backfilled": True},
        }
        for kind, at, data in moments
        if at is not None
    ]
    return episode, events


def downgrade() -> None:
    op.add_column("conversations", sa.Column("bot_misses", sa.Integer(), server_default="0"))
    op.add_column("conversations", sa.Column("self_served", sa.Boolean(), nullable=True))
    op.add_column("conversations", sa.Column("rating", sa.Integer(), nullable=True))
    op.add_column("conversations", sa.Column("rating_comment", sa.Text(), nullable=True))
    op.add_column(
        "conversations", sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "conversations", sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        """
        UPDATE conversations SET
            bot_misses = e.bot_misses, self_served = e.self_served, rating = e.rating,
            rating_comment = e.rating_comment, first_response_at = e.first_response_at,
            resolved_at = e.resolved_at
        FROM conversation_episodes AS e
        WHERE e.conversation_id = conversations.id AND e.number = conversations.episode
        """
    )
    op.drop_column("conversations", "episode")
    op.drop_table("conversation_events")
    op.drop_table("conversation_episodes")
