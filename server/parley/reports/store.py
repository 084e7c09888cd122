"""The only SQL of the reports: episodes and events, read, never written.

Every query takes the period's UTC bounds and a ``Scope`` (the filters, and for an agent who is
not an admin their own episodes), and runs unchanged on SQLite and PostgreSQL. Percentiles are
taken in Python over the values these return (``reports/figures.py``), the same on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select

from parley import clock
from parley.db import Database
from parley.db.schema import (
    conversation_episodes,
    conversation_events,
    conversation_labels,
    conversations,
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


async def first_responses(
    db: Database, start: datetime, end: datetime, scope: Scope
) -> list[tuple[float, float | None]]:
    """Each first response in the period: seconds waited, and of those inside business hours."""
    statement = select(ep.first_response_seconds, ep.first_response_business_seconds).where(
        _between(ep.first_response_at, start, end),
        ep.first_response_seconds.is_not(None),
        *scope.conditions(),
    )
    async with db.read() as conn:
        return [(row[0], row[1]) for row in await conn.execute(statement)]


@dataclass(frozen=True)
class Resolved:
    """Episodes resolved in the period."""

    episodes: int
    self_served: int
    rated: int
    satisfied: int  # rated 4 or 5
    rating_sum: int
    # (opened, resolved) of each episode a person took: the resolution times.
    handled_spans: list[tuple[datetime, datetime]]


async def resolved(db: Database, start: datetime, end: datetime, scope: Scope) -> Resolved:
    where = (_between(ep.resolved_at, start, end), *scope.conditions())
    totals = select(
        func.count(),
        _count_if(ep.self_served.is_(True)),
        func.count(ep.rating),
        _count_if(ep.rating >= 4),
        func.coalesce(func.sum(ep.rating), 0),
    ).where(*where)
    spans = select(ep.opened_at, ep.resolved_at).where(*where, ep.first_assigned_at.is_not(None))
    async with db.read() as conn:
        row = (await conn.execute(totals)).one()
        handled = [
            (clock.as_utc(opened_at), clock.as_utc(resolved_at))
            for opened_at, resolved_at in await conn.execute(spans)
        ]
    episodes, self_served, rated, satisfied, rating_sum = (int(value) for value in row)
    return Resolved(episodes, self_served, rated, satisfied, rating_sum, handled)
