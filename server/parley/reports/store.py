"""The only SQL of the reports: episodes and events, read, never written.

Every query takes the period's UTC bounds and a ``Scope`` (the filters, and for an agent who is
not an admin their own episodes), and runs unchanged on SQLite and PostgreSQL. For a percentile
the database sorts (a window function, which both have) and returns only the values next to its
rank; ``Ranked`` interpolates between them in Python, the same on both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.schema import (
    agent_presence,
    conversation_episodes,
    conversation_events,
    conversation_labels,
    conversations,
    visitors,
)

ep = conversation_episodes.c
ev = conversation_events.c


@dataclass(frozen=True)
class Scope:
    """Which episodes a report counts. ``agent_id``: episodes that agent was assigned in (any
    assignment, so a transfer counts for both agents). ``locale`` is the conversation's, set
    once when it was created. ``label``: conversations carrying that label now."""

    team_id: str | None = None
    agent_id: str | None = None
    label: str | None = None
    locale: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.team_id is not None:
            found.append(ep.first_team_id == self.team_id)
        if self.agent_id is not None:
            found.append(
                exists().where(
                    ev.conversation_id == ep.conversation_id,
                    ev.episode == ep.number,
                    ev.type == "assigned",
                    ev.agent_id == self.agent_id,
                )
            )
        if self.label is not None:
            found.append(
                exists().where(
                    conversation_labels.c.conversation_id == ep.conversation_id,
                    conversation_labels.c.label == self.label,
                )
            )
        if self.locale is not None:
            found.append(
                exists().where(
                    conversations.c.id == ep.conversation_id,
                    conversations.c.locale == self.locale,
                )
            )
        return found


def _between(
    column: ColumnElement[datetime], start: datetime, end: datetime
) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class Opened:
    """Episodes opened in the period."""

    episodes: int
    new: int  # first episodes: new conversations
    reopened: int  # later episodes: a resolved conversation came back
    handed: int  # a person was asked for, or took it


async def opened(db: Database, start: datetime, end: datetime, scope: Scope) -> Opened:
    handed = or_(ep.handoff_at.is_not(None), ep.first_assigned_at.is_not(None))
    statement = select(
        func.count(), _count_if(ep.number == 1), _count_if(ep.number > 1), _count_if(handed)
    ).where(_between(ep.opened_at, start, end), *scope.conditions())
    async with db.read() as conn:
        row = (await conn.execute(statement)).one()
    return Opened(*(int(value) for value in row))


@dataclass(frozen=True)
class Ranked:
    """A set of values as if sorted ascending: how many, and the values at the positions kept
    (all of them, or the database's few around each percentile asked for)."""

    count: int
    at: dict[int, float]

    @classmethod
    def of(cls, values: Sequence[float]) -> Ranked:
        return cls(len(values), dict(enumerate(sorted(values))))

    @staticmethod
    def around(count: int, share: float) -> tuple[int, int]:
        """The two ranks (0-based, maybe the same) a share of ``count`` values lies between."""
        rank = share * (count - 1)
        return math.floor(rank), math.ceil(rank)

    def percentile(self, share: float) -> float | None:
        """Linear interpolation between the closest ranks (PostgreSQL's ``percentile_cont``)."""
        if not self.count:
            return None
        low, high = self.around(self.count, share)
        rank = share * (self.count - 1)
        return self.at[low] + (self.at[high] - self.at[low]) * (rank - low)


async def _ranked(
    conn: AsyncConnection,
    value: ColumnElement[float],
    where: Sequence[ColumnElement[bool]],
    count: int,
    shares: Sequence[float],
) -> Ranked:
    """``value`` over the ``count`` rows ``where`` holds with it not null: the database sorts
    them and hands back only the values at the ranks each share reads, not one row per episode
    (sending every value to Python was most of a 90-day overview's time)."""
    if not count:
        return Ranked(0, {})
    ordered = (
        select(value.label("value"), (func.row_number().over(order_by=value) - 1).label("rank"))
        .where(value.is_not(None), *where)
        .subquery()
    )
    statement = select(ordered.c.rank, ordered.c.value).where(
        ordered.c.rank.in_(sorted({n for share in shares for n in Ranked.around(count, share)}))
    )
    return Ranked(count, {int(rank): value for rank, value in await conn.execute(statement)})


async def first_responses(
    db: Database, start: datetime, end: datetime, scope: Scope, shares: Sequence[float]
) -> tuple[Ranked, Ranked]:
    """The first responses of the period, around ``shares``: seconds waited, and of those
    inside business hours."""
    where = [
        _between(ep.first_response_at, start, end),
        ep.first_response_seconds.is_not(None),
        *scope.conditions(),
    ]
    counts = select(func.count(), func.count(ep.first_response_business_seconds)).where(*where)
    async with db.read() as conn:
        walls, insides = (await conn.execute(counts)).one()
        wall = await _ranked(conn, ep.first_response_seconds, where, int(walls), shares)
        inside = await _ranked(
            conn, ep.first_response_business_seconds, where, int(insides), shares
        )
    return wall, inside


@dataclass(frozen=True)
class Resolved:
    """Episodes resolved in the period."""

    episodes: int
    self_served: int
    rated: int
    satisfied: int  # rated 4 or 5
    rating_sum: int
    # The episodes a person took: opening to resolution, wall clock and inside business hours
    # (measured at the resolve; business is unknown for episodes resolved before it was kept).
    handled_wall: Ranked
    handled_inside: Ranked


async def resolved(
    db: Database, start: datetime, end: datetime, scope: Scope, shares: Sequence[float]
) -> Resolved:
    where = [_between(ep.resolved_at, start, end), *scope.conditions()]
    took = and_(ep.first_assigned_at.is_not(None), ep.resolution_seconds.is_not(None))
    totals = select(
        func.count(),
        _count_if(ep.self_served.is_(True)),
        func.count(ep.rating),
        _count_if(ep.rating >= 4),
        func.coalesce(func.sum(ep.rating), 0),
        _count_if(took),
        func.count(case((took, ep.resolution_business_seconds))),
    ).where(*where)
    handled = [*where, took]
    async with db.read() as conn:
        row = [int(value) for value in (await conn.execute(totals)).one()]
        wall = await _ranked(conn, ep.resolution_seconds, handled, row[5], shares)
        inside = await _ranked(conn, ep.resolution_business_seconds, handled, row[6], shares)
    episodes, self_served, rated, satisfied, rating_sum = row[:5]
    return Resolved(episodes, self_served, rated, satisfied, rating_sum, wall, inside)


# --- moments for the charts -----------------------------------------------------------------


async def opened_moments(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[datetime]:
    """When each episode of the period opened: volume per day and the busiest hours."""
    statement = select(ep.opened_at).where(_between(ep.opened_at, start, end), *scope.conditions())
    async with db.read() as conn:
        return [clock.as_utc(row[0]) for row in await conn.execute(statement)]


async def first_response_moments(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[tuple[datetime, float]]:
    statement = select(ep.first_response_at, ep.first_response_seconds).where(
        _between(ep.first_response_at, start, end),
        ep.first_response_seconds.is_not(None),
        *scope.conditions(),
    )
    async with db.read() as conn:
        return [(clock.as_utc(at), seconds) for at, seconds in await conn.execute(statement)]


async def resolved_moments(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[tuple[datetime, int | None]]:
    """When each episode of the period was resolved, and its rating if any."""
    statement = select(ep.resolved_at, ep.rating).where(
        _between(ep.resolved_at, start, end), *scope.conditions()
    )
    async with db.read() as conn:
        return [(clock.as_utc(at), rating) for at, rating in await conn.execute(statement)]


# --- agents and ratings ---------------------------------------------------------------------


@dataclass(frozen=True)
class AgentEpisode:
    """One episode an agent took part in during the period, with what they did in it."""

    agent_id: str
    conversation_id: str
    number: int
    wrote_first_response: bool
    first_response_seconds: float | None
    resolved_it: bool
    resolved_at: datetime | None
    resolution_seconds: float | None
    rating: int | None
    reopened: bool  # the conversation has a next episode


async def agent_episodes(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[AgentEpisode]:
    """Every (agent, episode) pair where the agent was assigned in an episode opened or
    resolved in the period."""
    assigned = (
        select(ev.agent_id, ev.conversation_id, ev.episode)
        .where(ev.type == "assigned", ev.agent_id.is_not(None))
        .distinct()
        .subquery()
    )
    first_reply = conversation_events.alias("first_reply")
    later = conversation_episodes.alias("later")
    wrote_first = exists().where(
        first_reply.c.conversation_id == ep.conversation_id,
        first_reply.c.episode == ep.number,
        first_reply.c.type == "first_response",
        first_reply.c.agent_id == assigned.c.agent_id,
    )
    reopened = exists().where(
        later.c.conversation_id == ep.conversation_id, later.c.number == ep.number + 1
    )
    statement = (
        select(
            assigned.c.agent_id,
            ep.conversation_id,
            ep.number,
            wrote_first,
            ep.first_response_seconds,
            ep.resolved_by_agent_id == assigned.c.agent_id,
            ep.resolved_at,
            ep.resolution_seconds,
            ep.rating,
            reopened,
        )
        .join(
            assigned,
            and_(
                assigned.c.conversation_id == ep.conversation_id,
                assigned.c.episode == ep.number,
            ),
        )
        .where(
            or_(_between(ep.opened_at, start, end), _between(ep.resolved_at, start, end)),
            *scope.conditions(),
        )
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [
        AgentEpisode(
            agent_id=row[0],
            conversation_id=row[1],
            number=row[2],
            wrote_first_response=bool(row[3]),
            first_response_seconds=row[4],
            resolved_it=bool(row[5]),
            resolved_at=None if row[6] is None else clock.as_utc(row[6]),
            resolution_seconds=row[7],
            rating=row[8],
            reopened=bool(row[9]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Rating:
    conversation_id: str
    episode: int
    score: int
    comment: str | None
    rated_at: datetime
    agent_id: str | None  # who resolved it, else who first took it


async def ratings(db: Database, start: datetime, end: datetime, scope: Scope) -> list[Rating]:
    """Ratings of episodes resolved in the period, lowest score first, then newest."""
    statement = (
        select(
            ep.conversation_id,
            ep.number,
            ep.rating,
            ep.rating_comment,
            ep.rated_at,
            func.coalesce(ep.resolved_by_agent_id, ep.first_agent_id),
        )
        .where(_between(ep.resolved_at, start, end), ep.rating.is_not(None), *scope.conditions())
        .order_by(ep.rating, ep.rated_at.desc(), ep.conversation_id)
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [Rating(row[0], row[1], row[2], row[3], clock.as_utc(row[4]), row[5]) for row in rows]


# --- knowledge ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BotVerdict:
    """One bot answer inside a self-served episode, in the order they were given."""

    conversation_id: str
    episode: int
    visitor_id: str
    top: str | None  # the slug of its first suggestion
    answered: bool


async def self_served_verdicts(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[BotVerdict]:
    """The bot's answers in the episodes resolved in the period with no person (self-served),
    oldest first: which article answered each visitor is read from them."""
    conversation = conversations.alias("conversation")  # the scope's filters name the table
    statement = (
        select(ev.conversation_id, ev.episode, conversation.c.visitor_id, ev.data)
        .join(
            conversation_episodes,
            and_(ep.conversation_id == ev.conversation_id, ep.number == ev.episode),
        )
        .join(conversation, conversation.c.id == ev.conversation_id)
        .where(
            ev.type == "bot_answered",
            ep.self_served.is_(True),
            _between(ep.resolved_at, start, end),
            *scope.conditions(),
        )
        .order_by(ev.id)
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [
        BotVerdict(row[0], row[1], row[2], row[3].get("top"), bool(row[3].get("answered")))
        for row in rows
    ]


# --- labels ---------------------------------------------------------------------------------


async def labelled_openings(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[tuple[str, str, datetime]]:
    """(label, conversation, when) for each episode opened in the period in a conversation
    carrying that label now: what customers came with, per label."""
    labelled = conversation_labels.alias("labelled")  # the scope's label filter names the table
    statement = (
        select(labelled.c.label, ep.conversation_id, ep.opened_at)
        .join(labelled, labelled.c.conversation_id == ep.conversation_id)
        .where(_between(ep.opened_at, start, end), *scope.conditions())
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [(label, conversation_id, clock.as_utc(at)) for label, conversation_id, at in rows]


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    """A signed-in user of the host site (``user_id``) as their latest visitor record says."""

    user_id: str
    attributes: dict[str, object]


async def customers(db: Database) -> list[Customer]:
    """Every identified user once: the attributes of the visitor record seen last (one user may
    have several records on a site that does not verify identities). The database picks that
    record, so one row per user comes back, not one per record."""
    seen = func.coalesce(visitors.c.last_seen_at, visitors.c.created_at)
    latest_first = func.row_number().over(
        partition_by=visitors.c.user_id, order_by=(seen.desc(), visitors.c.id)
    )
    records = (
        select(visitors.c.user_id, visitors.c.attributes, latest_first.label("rank"))
        .where(visitors.c.user_id.is_not(None))
        .subquery()
    )
    statement = select(records.c.user_id, records.c.attributes).where(records.c.rank == 1)
    async with db.read() as conn:
        return [
            Customer(user_id, dict(attributes or {}))
            for user_id, attributes in await conn.execute(statement)
        ]


@dataclass(frozen=True)
class Experience:
    """What one identified user went through with support, each with when."""

    user_id: str
    kind: str  # "rating" | "first_response" | "first_breach"
    at: datetime
    score: int | None = None


async def experiences(db: Database, before: datetime) -> list[Experience]:
    """Identified users' ratings before ``before``, and each one's earliest first response and
    earliest first-response target breach before it: churn beside support experience asks only
    whether a customer had either before they left, so one of each per customer is enough."""
    who = visitors.c.user_id
    through = visitors.join(conversations, conversations.c.visitor_id == visitors.c.id)
    episodes_of = through.join(conversation_episodes, ep.conversation_id == conversations.c.id)
    ratings = (
        select(who, ep.rated_at, ep.rating)
        .select_from(episodes_of)
        .where(who.is_not(None), ep.rating.is_not(None), ep.rated_at < before)
    )
    firsts = (
        select(who, func.min(ep.first_response_at))
        .select_from(episodes_of)
        .where(who.is_not(None), ep.first_response_at < before)
        .group_by(who)
    )
    breaches = (
        select(who, func.min(ev.at))
        .select_from(through.join(conversation_events, ev.conversation_id == conversations.c.id))
        .where(
            who.is_not(None),
            ev.type == "sla_breached",
            ev.data["kind"].as_string() == "first",
            ev.at < before,
        )
        .group_by(who)
    )
    found: list[Experience] = []
    async with db.read() as conn:
        for user_id, at, score in await conn.execute(ratings):
            found.append(Experience(user_id, "rating", clock.as_utc(at), score))
        for user_id, at in await conn.execute(firsts):
            found.append(Experience(user_id, "first_response", clock.as_utc(at)))
        for user_id, at in await conn.execute(breaches):
            found.append(Experience(user_id, "first_breach", clock.as_utc(at)))
    return found


# --- presence -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """One stretch an agent was online; ``offline_at`` None while it lasts."""

    agent_id: str
    online_at: datetime
    seen_at: datetime
    offline_at: datetime | None


async def presence_stretches(
    db: Database, start: datetime, end: datetime, agent_id: str | None
) -> list[Stretch]:
    """The stretches that began before the period ended and had not ended before it began."""
    statement = select(
        agent_presence.c.agent_id,
        agent_presence.c.online_at,
        agent_presence.c.seen_at,
        agent_presence.c.offline_at,
    ).where(
        agent_presence.c.online_at < end,
        or_(agent_presence.c.offline_at.is_(None), agent_presence.c.offline_at > start),
    )
    if agent_id is not None:
        statement = statement.where(agent_presence.c.agent_id == agent_id)
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [
        Stretch(
            row[0],
            clock.as_utc(row[1]),
            clock.as_utc(row[2]),
            None if row[3] is None else clock.as_utc(row[3]),
        )
        for row in rows
    ]
