"""Peer review's SQL: scorecard versions, weekly assignments, reviews, and the resolved episodes
(from ``conversation_episodes``) that assignments are drawn from."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    agents,
    conversation_episodes,
    new_id,
    review_assignments,
    review_scorecards,
    reviews,
)
from parley.errors import Conflict, NotFound


@dataclass(frozen=True)
class Scorecard:
    id: str
    criteria: list[dict[str, Any]]  # [{"key", "label", "weight"}]
    scale: int
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class Assignment:
    id: str
    week: date
    reviewer_id: str
    conversation_id: str
    episode: int
    agent_id: str  # the agent whose work is reviewed
    team_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class Review:
    assignment_id: str
    scorecard_id: str
    scores: dict[str, int]
    score: float
    comment: str | None
    submitted_at: datetime


@dataclass(frozen=True)
class Handled:
    """A resolved episode and the agent who handled it (who resolved it, else who took it)."""

    conversation_id: str
    episode: int
    agent_id: str
    team_id: str | None


async def current_scorecard(db: Database) -> Scorecard | None:
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(review_scorecards).order_by(review_scorecards.c.created_at.desc()).limit(1)
            )
        ).first()
    return record(Scorecard, row._mapping) if row else None


async def scorecard_by_id(db: Database, scorecard_id: str) -> Scorecard:
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(review_scorecards).where(review_scorecards.c.id == scorecard_id)
            )
        ).first()
    if row is None:
        raise NotFound("no such scorecard")
    return record(Scorecard, row._mapping)


async def add_scorecard(
    db: Database, criteria: list[dict[str, Any]], scale: int, created_by: str | None
) -> Scorecard:
    scorecard = Scorecard(new_id("card"), criteria, scale, created_by, clock.now())
    async with db.transaction() as conn:
        await conn.execute(insert(review_scorecards).values(**asdict(scorecard)))
    return scorecard


async def handled_episodes(db: Database, start: datetime, end: datetime) -> list[Handled]:
    """Episodes resolved in [start, end) that an agent handled."""
    e = conversation_episodes.c
    handler = func.coalesce(e.resolved_by_agent_id, e.first_agent_id)
    async with db.read() as conn:
        rows = await conn.execute(
            select(e.conversation_id, e.number, handler, e.first_team_id)
            .join(agents, agents.c.id == handler)
            .where(e.resolved_at >= start, e.resolved_at < end, handler.is_not(None))
            .order_by(e.resolved_at)
        )
        return [Handled(row[0], row[1], row[2], row[3]) for row in rows]


async def assignments_of(
    db: Database, reviewer_id: str, week: date | None = None
) -> list[Assignment]:
    a = review_assignments.c
    condition = a.reviewer_id == reviewer_id
    if week is not None:
        condition = and_(condition, a.week == week)
    async with db.read() as conn:
        rows = (
            await conn.execute(select(review_assignments).where(condition).order_by(a.created_at))
        ).mappings()
        return [record(Assignment, row) for row in rows]


async def assigned_keys(db: Database, reviewer_id: str) -> set[tuple[str, int]]:
    """Every episode this reviewer was ever given, so none comes twice."""
    a = review_assignments.c
    async with db.read() as conn:
        rows = await conn.execute(
            select(a.conversation_id, a.episode).where(a.reviewer_id == reviewer_id)
        )
        return {(row[0], row[1]) for row in rows}


async def add_assignments(
    db: Database, week: date, reviewer_id: str, picked: list[Handled]
) -> list[Assignment]:
    """The week's assignments; a concurrent call that got there first wins, and nothing doubles."""
    now = clock.now()
    made = [
        Assignment(
            new_id("rev"),
            week,
            reviewer_id,
            h.conversation_id,
            h.episode,
            h.agent_id,
            h.team_id,
            now,
        )
        for h in picked
    ]
    if made:
        try:
            async with db.transaction() as conn:
                already = (
                    await conn.execute(
                        select(func.count()).where(
                            review_assignments.c.reviewer_id == reviewer_id,
                            review_assignments.c.week == week,
                        )
                    )
                ).scalar_one()
                if not already:
                    await conn.execute(insert(review_assignments), [asdict(a) for a in made])
        except IntegrityError:
            already = True
        if already:  # another draw of this week won: read its picks (on a connection of its own)
            return await assignments_of(db, reviewer_id, week)
    return made


async def assignment_by_id(db: Database, assignment_id: str) -> Assignment:
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(review_assignments).where(review_assignments.c.id == assignment_id)
            )
        ).first()
    if row is None:
        raise NotFound("no such review")
    return record(Assignment, row._mapping)


async def submit(db: Database, review: Review) -> Review:
    try:
        async with db.transaction() as conn:
            await conn.execute(insert(reviews).values(**asdict(review)))
    except IntegrityError:
        raise Conflict("this conversation is reviewed already", code="already_reviewed") from None
    return review


async def reviews_of(db: Database, assignment_ids: list[str]) -> dict[str, Review]:
    if not assignment_ids:
        return {}
    async with db.read() as conn:
        rows = (
            await conn.execute(select(reviews).where(reviews.c.assignment_id.in_(assignment_ids)))
        ).mappings()
        return {row["assignment_id"]: record(Review, row) for row in rows}


async def reviewed(
    db: Database,
    *,
    agent_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[Assignment, Review]]:
    """Submitted reviews (of one agent's work, or everyone's), oldest first."""
    conditions = []
    if agent_id is not None:
        conditions.append(review_assignments.c.agent_id == agent_id)
    if start is not None:
        conditions.append(reviews.c.submitted_at >= start)
    if end is not None:
        conditions.append(reviews.c.submitted_at < end)
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(review_assignments, reviews)
                .join(reviews, reviews.c.assignment_id == review_assignments.c.id)
                .where(*conditions)
                .order_by(reviews.c.submitted_at)
            )
        ).mappings()
        return [(record(Assignment, row), record(Review, row)) for row in rows]
