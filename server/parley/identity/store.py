"""Rows of agents, teams and visitors in and out of the database, as plain dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    agent_sessions,
    agents,
    conversations,
    new_id,
    team_members,
    teams,
    visitors,
)
from parley.errors import BadRequest, Conflict, NotFound

DEFAULT_TEAM = "Support"
_FIRST_ADMIN_LOCK_ID = 0x7061726C6579_01  # "parley" + 1: the first-run insert's advisory lock


@dataclass(frozen=True)
class Agent:
    id: str
    email: str
    name: str
    role: str
    disabled: bool
    capacity: int
    token_version: int
    password_hash: str
    created_at: datetime

    def public(self) -> dict[str, str]:
        """The agent as the wire contract shows it: never the hash."""
        return {"id": self.id, "name": self.name, "email": self.email, "role": self.role}


@dataclass(frozen=True)
class Visitor:
    id: str
    name: str | None
    email: str | None
    locale: str | None
    page_url: str | None
    referrer: str | None
    user_agent: str | None
    attributes: dict[str, Any]
    user_id: str | None
    verified: bool
    created_at: datetime


async def insert_agent(
    db: Database,
    *,
    email: str,
    name: str,
    password_hash: str,
    role: str,
    capacity: int = 3,
    team_ids: Sequence[str] | None = None,
    only_if_no_admin: bool = False,
) -> Agent:
    """Store a new agent, a member of ``team_ids`` (unless given: of the default team).

    ``only_if_no_admin`` is the first-run page's: the insert happens only while no admin exists,
    decided inside the transaction (SQLite's writers take turns; on PostgreSQL concurrent
    first-run attempts queue on an advisory lock), so two browsers cannot both become the first.
    """
    agent = Agent(
        id=new_id("agt"),
        email=email,
        name=name,
        role=role,
        disabled=False,
        capacity=capacity,
        token_version=1,
        password_hash=password_hash,
        created_at=clock.now(),
    )
    try:
        async with db.transaction() as conn:
            if only_if_no_admin:
                if not db.is_sqlite:
                    await conn.execute(select(func.pg_advisory_xact_lock(_FIRST_ADMIN_LOCK_ID)))
                if await _admin_exists(conn):
                    raise Conflict("Parley already has an admin", code="setup_closed")
            await conn.execute(insert(agents).values(**agent.__dict__))
            if team_ids is None:
                team_ids = [await _ensure_team(conn, DEFAULT_TEAM)]
            await _replace_memberships(conn, "agent", agent.id, team_ids)
    except IntegrityError:
        raise Conflict(f"an agent with email {email} already exists") from None
    return agent


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    locale: str | None
    member_ids: tuple[str, ...]


async def create_team(db: Database, name: str, locale: str | None) -> Team:
    team = Team(new_id("team"), name, locale, ())
    try:
        async with db.transaction() as conn:
            await conn.execute(
                insert(teams).values(id=team.id, name=name, locale=locale, created_at=clock.now())
            )
    except IntegrityError:
        raise Conflict(f"a team named {name} already exists") from None
    return team


async def add_team_member(db: Database, team_id: str, agent_id: str) -> None:
    try:
        async with db.transaction() as conn:
            await conn.execute(insert(team_members).values(team_id=team_id, agent_id=agent_id))
    except IntegrityError:
        raise Conflict("already a member of that team") from None


async def list_teams(db: Database) -> list[Team]:
    async with db.read() as conn:
        rows = (await conn.execute(select(teams).order_by(teams.c.name))).mappings().all()
        members = (await conn.execute(select(team_members))).all()
    by_team: dict[str, list[str]] = {}
    for team_id, agent_id in members:
        by_team.setdefault(team_id, []).append(agent_id)
    return [
        Team(row["id"], row["name"], row["locale"], tuple(by_team.get(row["id"], [])))
        for row in rows
    ]


async def update_agent(
    db: Database,
    agent_id: str,
    *,
    role: str | None = None,
    capacity: int | None = None,
    disabled: bool | None = None,
    team_ids: Sequence[str] | None = None,
    password_hash: str | None = None,
) -> Agent:
    """Change an agent. Disabling, demoting or a new password revokes their tokens; the last
    enabled admin can be neither disabled nor demoted (the enabled admins' rows stay locked
    while that is decided).
    """
    async with db.transaction() as conn:
        admins = (
            await conn.execute(
                select(agents.c.id)
                .where(agents.c.role == "admin", agents.c.disabled.is_(False))
                .with_for_update()
            )
        ).scalars()
        admin_ids = set(admins)
        row = (await conn.execute(select(agents).where(agents.c.id == agent_id))).mappings().first()
        if row is None:
            raise NotFound("no such agent", code="unknown_agent")
        changes: dict[str, Any] = {}
        if role is not None:
            changes["role"] = role
        if capacity is not None:
            changes["capacity"] = capacity
        if disabled is not None:
            changes["disabled"] = disabled
        if password_hash is not None:
            changes["password_hash"] = password_hash
        demoted = row["role"] == "admin" and changes.get("role", "admin") != "admin"
        if demoted or (disabled and not row["disabled"]) or password_hash is not None:
            changes["token_version"] = agents.c.token_version + 1
            await conn.execute(delete(agent_sessions).where(agent_sessions.c.agent_id == agent_id))
        stays_admin = changes.get("role", row["role"]) == "admin" and not changes.get(
            "disabled", row["disabled"]
        )
        if admin_ids == {agent_id} and not stays_admin:
            raise Conflict("Parley needs at least one enabled admin", code="last_admin")
        if changes:
            await conn.execute(update(agents).where(agents.c.id == agent_id).values(**changes))
        if team_ids is not None:
            await _replace_memberships(conn, "agent", agent_id, team_ids)
        updated = (
            (await conn.execute(select(agents).where(agents.c.id == agent_id))).mappings().one()
        )
    return record(Agent, updated)


async def update_team(
    db: Database,
    team_id: str,
    *,
    name: str | None = None,
    locale: str | None = None,
    member_ids: Sequence[str] | None = None,
) -> Team:
    """Rename a team, set its locale (``""`` clears it) or its members."""
    try:
        async with db.transaction() as conn:
            current = await conn.scalar(select(teams.c.name).where(teams.c.id == team_id))
            if current is None:
                raise NotFound("no such team", code="unknown_team")
            if name is not None and name != current and current == DEFAULT_TEAM:
                raise BadRequest(f"{DEFAULT_TEAM} is the default team and keeps its name")
            changes: dict[str, Any] = {}
            if name is not None:
                changes["name"] = name
            if locale is not None:
                changes["locale"] = locale or None
            if changes:
                await conn.execute(update(teams).where(teams.c.id == team_id).values(**changes))
            if member_ids is not None:
                await _replace_memberships(conn, "team", team_id, member_ids)
    except IntegrityError:
        raise Conflict(f"a team named {name} already exists") from None
    found = [team for team in await list_teams(db) if team.id == team_id]
    return found[0]


async def delete_team(db: Database, team_id: str) -> list[str]:
    """Delete a team in one transaction: its members leave it, and its conversations (any
    status) move to the default team, the queue a conversation joins when no team is named, so
    queued ones become routable again and assigned ones stay with their agent (without a default
    team: to no team, which any agent may take). The default team itself stays. Returns the ids
    of the moved conversations that are still open."""
    async with db.transaction() as conn:
        name = await conn.scalar(select(teams.c.name).where(teams.c.id == team_id))
        if name is None:
            raise NotFound("no such team", code="unknown_team")
        if name == DEFAULT_TEAM:
            raise BadRequest(f"{DEFAULT_TEAM} is the default team and cannot be deleted")
        fallback = await conn.scalar(select(teams.c.id).where(teams.c.name == DEFAULT_TEAM))
        moved = (
            await conn.execute(
                update(conversations)
                .where(conversations.c.team_id == team_id)
                .values(team_id=fallback)
                .returning(conversations.c.id, conversations.c.status)
            )
        ).all()
        await conn.execute(delete(team_members).where(team_members.c.team_id == team_id))
        await conn.execute(delete(teams).where(teams.c.id == team_id))
    return [row.id for row in moved if row.status != "resolved"]


async def _replace_memberships(
    conn: AsyncConnection, owner: str, owner_id: str, member_ids: Sequence[str]
) -> None:
    """Make an agent's teams (``owner="agent"``) or a team's agents exactly ``member_ids``."""
    if owner == "agent":
        own, other, other_ids, noun = "agent_id", "team_id", teams.c.id, "team"
    else:
        own, other, other_ids, noun = "team_id", "agent_id", agents.c.id, "agent"
    wanted = set(member_ids)
    known = set((await conn.execute(select(other_ids).where(other_ids.in_(wanted)))).scalars())
    if known != wanted:
        raise BadRequest(f"no such {noun}", code=f"unknown_{noun}")
    await conn.execute(delete(team_members).where(team_members.c[own] == owner_id))
    if wanted:
        rows = [{own: owner_id, other: member} for member in sorted(wanted)]
        await conn.execute(insert(team_members), rows)


async def _ensure_team(conn: AsyncConnection, name: str) -> str:
    found = await conn.scalar(select(teams.c.id).where(teams.c.name == name))
    if found is not None:
        return str(found)
    team_id = new_id("team")
    await conn.execute(insert(teams).values(id=team_id, name=name, created_at=clock.now()))
    return team_id


async def _admin_exists(conn: AsyncConnection, *, any_role: bool = False) -> bool:
    query = select(agents.c.id).limit(1)
    found = await conn.execute(query if any_role else query.where(agents.c.role == "admin"))
    return found.first() is not None


async def admin_exists(db: Database) -> bool:
    """Whether any admin (enabled or not) exists: what closes the first-run page."""
    async with db.read() as conn:
        return await _admin_exists(conn)


async def agent_exists(db: Database) -> bool:
    """Whether anyone at all can sign in: without, the console opens on the first-run page."""
    async with db.read() as conn:
        return await _admin_exists(conn, any_role=True)


async def agent_by_email(db: Database, email: str) -> Agent | None:
    async with db.read() as conn:
        row = (
            (await conn.execute(select(agents).where(func.lower(agents.c.email) == email.lower())))
            .mappings()
            .first()
        )
    return record(Agent, row) if row else None


async def agent_by_id(db: Database, agent_id: str) -> Agent | None:
    async with db.read() as conn:
        row = (await conn.execute(select(agents).where(agents.c.id == agent_id))).mappings().first()
    return record(Agent, row) if row else None


async def agent_names(db: Database, agent_ids: list[str], limit: int) -> list[str]:
    """Up to ``limit`` of these agents' names, in name order."""
    if not agent_ids:
        return []
    query = select(agents.c.name).where(agents.c.id.in_(agent_ids)).order_by(agents.c.name)
    async with db.read() as conn:
        return list((await conn.execute(query.limit(limit))).scalars())


async def list_agents(db: Database) -> list[Agent]:
    async with db.read() as conn:
        rows = (await conn.execute(select(agents).order_by(agents.c.created_at))).mappings()
        return [record(Agent, row) for row in rows]


async def insert_visitor(
    db: Database,
    *,
    name: str | None,
    email: str | None,
    locale: str | None,
    page_url: str | None,
    referrer: str | None,
    user_agent: str | None,
    attributes: dict[str, Any],
    user_id: str | None,
    verified: bool,
) -> Visitor:
    visitor = Visitor(
        id=new_id("vis"),
        name=name,
        email=email,
        locale=locale,
        page_url=page_url,
        referrer=referrer,
        user_agent=user_agent,
        attributes=attributes,
        user_id=user_id,
        verified=verified,
        created_at=clock.now(),
    )
    async with db.transaction() as conn:
        await conn.execute(
            insert(visitors).values(**visitor.__dict__, last_seen_at=visitor.created_at)
        )
    return visitor


async def verified_visitor_by_user_id(db: Database, user_id: str) -> Visitor | None:
    async with db.read() as conn:
        row = (
            (
                await conn.execute(
                    select(visitors)
                    .where(visitors.c.user_id == user_id, visitors.c.verified.is_(True))
                    .order_by(visitors.c.created_at)
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )
    return record(Visitor, row) if row else None


async def refresh_visitor(db: Database, visitor_id: str, **changes: Any) -> None:
    """Update what the widget told us this time (page, name...) and when we last saw them."""
    async with db.transaction() as conn:
        await conn.execute(
            update(visitors)
            .where(visitors.c.id == visitor_id)
            .values(last_seen_at=clock.now(), **changes)
        )


async def visitor_by_id(db: Database, visitor_id: str) -> Visitor | None:
    async with db.read() as conn:
        row = (
            (await conn.execute(select(visitors).where(visitors.c.id == visitor_id)))
            .mappings()
            .first()
        )
    return record(Visitor, row) if row else None


async def insert_session(db: Database, agent_id: str, lifetime: timedelta) -> str:
    """A new session for the agent; its id goes into the token."""
    session_id = new_id("ses")
    now = clock.now()
    async with db.transaction() as conn:
        await conn.execute(
            insert(agent_sessions).values(
                id=session_id, agent_id=agent_id, created_at=now, expires_at=now + lifetime
            )
        )
    return session_id


async def agent_by_session(db: Database, session_id: str) -> Agent | None:
    """The agent whose live (not signed out, not expired) session this is."""
    async with db.read() as conn:
        row = (
            (
                await conn.execute(
                    select(agents)
                    .join(agent_sessions, agent_sessions.c.agent_id == agents.c.id)
                    .where(
                        agent_sessions.c.id == session_id,
                        agent_sessions.c.expires_at > clock.now(),
                    )
                )
            )
            .mappings()
            .first()
        )
    return record(Agent, row) if row else None


async def delete_session(db: Database, session_id: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(delete(agent_sessions).where(agent_sessions.c.id == session_id))


async def prune_sessions(db: Database) -> None:
    """Forget sessions past their expiry (their tokens are refused already)."""
    async with db.transaction() as conn:
        await conn.execute(delete(agent_sessions).where(agent_sessions.c.expires_at <= clock.now()))
