"""What the router reads: the queue in order, candidates' load, recent handling times; and
the history of presence it writes (when each agent was online)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from parley import clock
from parley.db import Database
from parley.db.schema import (
    agent_presence,
    agents,
    conversation_episodes,
    conversations,
    new_id,
    team_members,
    teams,
)
from parley.routing.router import Candidate

DEFAULT_HANDLE_SECONDS = 300.0


async def queued_ids(db: Database) -> list[tuple[str, str | None]]:
    """``(conversation_id, team_id)`` of every queued conversation, oldest first."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(conversations.c.id, conversations.c.team_id)
            .where(conversations.c.status == "queued")
            .order_by(conversations.c.queued_at, conversations.c.id)
        )
        return [(row.id, row.team_id) for row in rows]


async def candidates(db: Database, agent_ids: list[str]) -> list[Candidate]:
    if not agent_ids:
        return []
    open_counts = (
        select(conversations.c.assignee_id, func.count().label("open_count"))
        .where(conversations.c.status == "assigned")
        .group_by(conversations.c.assignee_id)
        .subquery()
    )
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(
                    agents.c.id,
                    agents.c.capacity,
                    agents.c.last_assigned_at,
                    func.coalesce(open_counts.c.open_count, 0).label("open_count"),
                )
                .outerjoin(open_counts, open_counts.c.assignee_id == agents.c.id)
                .where(agents.c.id.in_(agent_ids), agents.c.disabled.is_(False))
            )
        ).all()
        memberships = (
            await conn.execute(
                select(team_members.c.agent_id, team_members.c.team_id).where(
                    team_members.c.agent_id.in_(agent_ids)
                )
            )
        ).all()
    teams_of: dict[str, set[str]] = {}
    for agent_id, team_id in memberships:
        teams_of.setdefault(agent_id, set()).add(team_id)
    return [
        Candidate(
            agent_id=row.id,
            open_count=int(row.open_count),
            capacity=int(row.capacity),
            last_assigned_at=clock.as_utc(row.last_assigned_at) if row.last_assigned_at else None,
            team_ids=frozenset(teams_of.get(row.id, ())),
        )
        for row in rows
    ]


async def team_id_by_name(db: Database, name: str) -> str | None:
    async with db.read() as conn:
        found = await conn.scalar(
            select(teams.c.id).where(func.lower(teams.c.name) == name.lower())
        )
    return str(found) if found is not None else None


async def team_id_for(db: Database, *, name: str | None, locale: str | None) -> str | None:
    """The team a new conversation belongs to: the one the widget named, else one for its locale."""
    if name:
        return await team_id_by_name(db, name)
    if not locale:
        return None
    language = locale.split("-")[0].lower()
    async with db.read() as conn:
        found = await conn.scalar(
            select(teams.c.id).where(func.lower(teams.c.locale) == language).limit(1)
        )
    return str(found) if found is not None else None


async def average_handle_seconds(db: Database) -> float:
    """Mean time from an episode's first assignment to its resolution, over the last day."""
    since = clock.now() - timedelta(days=1)
    episodes = conversation_episodes.c
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(episodes.first_assigned_at, episodes.resolved_at)
                .where(
                    episodes.resolved_at > since,
                    episodes.first_assigned_at.is_not(None),
                )
                .order_by(episodes.resolved_at.desc())
                .limit(50)
            )
        ).all()
    durations = [
        (clock.as_utc(resolved) - clock.as_utc(assigned)).total_seconds()
        for assigned, resolved in rows
    ]
    return sum(durations) / len(durations) if durations else DEFAULT_HANDLE_SECONDS


async def assignees(db: Database) -> list[str]:
    """Agents who currently hold at least one assigned conversation."""
    async with db.read() as conn:
        rows = await conn.scalars(
            select(conversations.c.assignee_id)
            .where(conversations.c.status == "assigned", conversations.c.assignee_id.is_not(None))
            .distinct()
        )
        return [str(agent_id) for agent_id in rows]


async def assigned_to(db: Database, agent_id: str) -> list[str]:
    """The conversations ``agent_id`` holds now."""
    async with db.read() as conn:
        rows = await conn.scalars(
            select(conversations.c.id).where(
                conversations.c.status == "assigned", conversations.c.assignee_id == agent_id
            )
        )
        return [str(conversation_id) for conversation_id in rows]


# --- presence as history --------------------------------------------------------------------

# A pass refreshes an open stretch's ``seen_at`` when it is older than this (fewer writes), and
# a stretch not seen for STALE (every process stopped) ends at its ``seen_at``.
REFRESH_SEEN = timedelta(seconds=20)
STALE = timedelta(seconds=60)


async def record_presence(db: Database, online: set[str], now: datetime) -> None:
    """Bring the presence history up to ``online`` (the agents online now, every process's
    view): open a stretch for who came online, end the stretch of who left. Every process runs
    this; the partial unique index keeps one open stretch per agent whoever gets there first."""
    is_open = agent_presence.c.offline_at.is_(None)
    async with db.transaction() as conn:
        await conn.execute(
            update(agent_presence)
            .where(is_open, agent_presence.c.seen_at < now - STALE)
            .values(offline_at=agent_presence.c.seen_at)
        )
        await conn.execute(
            update(agent_presence)
            .where(is_open, agent_presence.c.agent_id.not_in(online))
            .values(offline_at=now)
        )
        if not online:
            return
        await conn.execute(
            update(agent_presence)
            .where(
                is_open,
                agent_presence.c.agent_id.in_(online),
                agent_presence.c.seen_at < now - REFRESH_SEEN,
            )
            .values(seen_at=now)
        )
        already = set((await conn.scalars(select(agent_presence.c.agent_id).where(is_open))).all())
        arriving = sorted(online - already)
        if arriving:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            await conn.execute(
                dialect.insert(agent_presence).on_conflict_do_nothing(),
                [
                    {"id": new_id("prs"), "agent_id": agent_id, "online_at": now, "seen_at": now}
                    for agent_id in arriving
                ],
            )
