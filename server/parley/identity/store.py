"""Rows of agents, teams and visitors in and out of the database, as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import agents, new_id, team_members, teams, visitors
from parley.errors import Conflict

DEFAULT_TEAM = "Support"


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
    db: Database, *, email: str, name: str, password_hash: str, role: str, capacity: int = 3
) -> Agent:
    """Store a new agent and make them a member of the default team."""
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
            await conn.execute(insert(agents).values(**agent.__dict__))
            team_id = await _ensure_team(conn, DEFAULT_TEAM)
            await conn.execute(insert(team_members).values(team_id=team_id, agent_id=agent.id))
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


async def _ensure_team(conn: AsyncConnection, name: str) -> str:
    found = await conn.scalar(select(teams.c.id).where(teams.c.name == name))
    if found is not None:
        return str(found)
    team_id = new_id("team")
    await conn.execute(insert(teams).values(id=team_id, name=name, created_at=clock.now()))
    return team_id


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


async def list_agents(db: Database) -> list[Agent]:
    async with db.read() as conn:
        rows = (await conn.execute(select(agents).order_by(agents.c.created_at))).mappings()
        return [record(Agent, row) for row in rows]


async def set_agent_disabled(db: Database, agent_id: str, disabled: bool) -> None:
    """Disabling also bumps the token version, which signs the agent out everywhere."""
    async with db.transaction() as conn:
        await conn.execute(
            update(agents)
            .where(agents.c.id == agent_id)
            .values(disabled=disabled, token_version=agents.c.token_version + 1)
        )


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
