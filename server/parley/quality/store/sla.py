"""Service-level targets, the facts their clocks read (episodes, ``agent_reply`` events, the
visitor's messages), breaches recorded once, and compliance counted from the event log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from parley import clock
from parley.conversation.store.history import Change, Moment, apply_in
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    conversation_episodes,
    conversation_events,
    conversation_labels,
    conversations,
    messages,
    new_id,
    sla_breaches,
    sla_targets,
    visitors,
)
from parley.errors import NotFound
from parley.mail.store import OutgoingMail


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    applies_to: str  # all | team | label | verified
    applies_value: str | None
    first_response_seconds: int | None
    next_response_seconds: int | None
    business_hours: bool
    escalation: str  # none | notify | reassign
    created_at: datetime

    def public(self) -> dict[str, Any]:
        return {**asdict(self), "created_at": clock.iso(self.created_at)}


@dataclass(frozen=True)
class OpenEpisode:
    """What a response clock needs to know about one conversation waiting for people."""

    conversation_id: str
    episode: int
    team_id: str | None
    assignee_id: str | None
    verified: bool
    labels: frozenset[str]
    queued_at: datetime
    first_response_at: datetime | None
    last_agent_reply_at: datetime | None
    visitor_waiting_since: datetime | None  # the first visitor message after the last reply


async def list_targets(db: Database) -> list[Target]:
    async with db.read() as conn:
        rows = (await conn.execute(select(sla_targets).order_by(sla_targets.c.name))).mappings()
        return [record(Target, row) for row in rows]


async def create_target(db: Database, **values: Any) -> Target:
    target = Target(id=new_id("sla"), created_at=clock.now(), **values)
    async with db.transaction() as conn:
        await conn.execute(insert(sla_targets).values(**asdict(target)))
    return target


async def update_target(db: Database, target_id: str, **values: Any) -> Target:
    """Change a target in place; clocks read it from their next look, breaches already
    recorded keep the numbers they were recorded with."""
    async with db.transaction() as conn:
        row = (
            (
                await conn.execute(
                    update(sla_targets)
                    .where(sla_targets.c.id == target_id)
                    .values(**values)
                    .returning(*sla_targets.c)
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound("no such target", code="unknown_target")
    return record(Target, row)


async def delete_target(db: Database, target_id: str) -> None:
    async with db.transaction() as conn:
        deleted = await conn.execute(delete(sla_targets).where(sla_targets.c.id == target_id))
    if deleted.rowcount == 0:
        raise NotFound("no such service-level target")


async def open_episodes(db: Database) -> list[OpenEpisode]:
    """Every current episode handed to people and not resolved, with its reply times."""
    c, e, ev, m = conversations.c, conversation_episodes.c, conversation_events.c, messages.c
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(
                    c.id,
                    c.team_id,
                    c.assignee_id,
                    visitors.c.verified,
                    e.number,
                    e.queued_at,
                    e.first_response_at,
                )
                .join(conversation_episodes, and_(e.conversation_id == c.id, e.number == c.episode))
                .join(visitors, visitors.c.id == c.visitor_id)
                .where(e.resolved_at.is_(None), e.queued_at.is_not(None))
            )
        ).all()
        if not rows:
            return []
        keys = [(row.id, row.number) for row in rows]
        ids = [row.id for row in rows]
        replies = dict(
            (
                (row[0], row[1]),
                clock.as_utc(row[2]),
            )
            for row in await conn.execute(
                select(ev.conversation_id, ev.episode, func.max(ev.at))
                .where(ev.type == "agent_reply", tuple_(ev.conversation_id, ev.episode).in_(keys))
                .group_by(ev.conversation_id, ev.episode)
            )
        )
        since = min(clock.as_utc(row.queued_at) for row in rows)
        said: dict[str, list[datetime]] = defaultdict(list)
        for conversation_id, at in await conn.execute(
            select(m.conversation_id, m.created_at).where(
                m.author_kind == "visitor", m.conversation_id.in_(ids), m.created_at >= since
            )
        ):
            said[conversation_id].append(clock.as_utc(at))
        labels: dict[str, set[str]] = defaultdict(set)
        for conversation_id, label in await conn.execute(
            select(conversation_labels.c.conversation_id, conversation_labels.c.label).where(
                conversation_labels.c.conversation_id.in_(ids)
            )
        ):
            labels[conversation_id].add(label)
    found = []
    for row in rows:
        last_reply = replies.get((row.id, row.number))
        waiting = None
        if last_reply is not None:
            waiting = min((at for at in said[row.id] if at > last_reply), default=None)
        found.append(
            OpenEpisode(
                conversation_id=row.id,
                episode=row.number,
                team_id=row.team_id,
                assignee_id=row.assignee_id,
                verified=bool(row.verified),
                labels=frozenset(labels[row.id]),
                queued_at=clock.as_utc(row.queued_at),
                first_response_at=clock.as_utc(row.first_response_at)
                if row.first_response_at
                else None,
                last_agent_reply_at=last_reply,
                visitor_waiting_since=waiting,
            )
        )
    return found


async def record_breach(
    db: Database,
    conversation_id: str,
    episode: int,
    kind: str,
    started_at: datetime,
    agent_id: str | None,
    data: dict[str, Any],
    mails: tuple[OutgoingMail, ...] = (),
) -> bool:
    """Append ``sla_breached`` once per clock that ran out, with its ``mails`` queued in the same
    transaction; False when it was recorded before (and nothing is queued again)."""
    try:
        async with db.transaction() as conn:
            await conn.execute(
                insert(sla_breaches).values(
                    conversation_id=conversation_id,
                    episode=episode,
                    kind=kind,
                    started_at=started_at,
                )
            )
            moment = Moment(
                "sla_breached", actor_kind="system", agent_id=agent_id, data={"kind": kind, **data}
            )
            changed = await apply_in(conn, conversation_id, Change(moments=(moment,), mails=mails))
            if changed is None:
                raise LookupError(conversation_id)
            return True
    except IntegrityError:
        return False


@dataclass(frozen=True)
class Answered:
    """An episode's first response, and whether its first-response clock ran out before it."""

    agent_id: str | None
    team_id: str | None
    breached: bool


async def first_responses(db: Database, start: datetime, end: datetime) -> list[Answered]:
    """First responses given in [start, end), each marked if its clock had run out first."""
    ev = conversation_events.c
    async with db.read() as conn:
        answered = (
            await conn.execute(
                select(ev.conversation_id, ev.episode, ev.agent_id, ev.team_id).where(
                    ev.type == "first_response", ev.at >= start, ev.at < end
                )
            )
        ).all()
        keys = [(row.conversation_id, row.episode) for row in answered]
        breached = set()
        if keys:
            breached = {
                (row.conversation_id, row.episode)
                for row in await conn.execute(
                    select(ev.conversation_id, ev.episode).where(
                        ev.type == "sla_breached",
                        ev.data["kind"].as_string() == "first",
                        tuple_(ev.conversation_id, ev.episode).in_(keys),
                    )
                )
            }
    return [
        Answered(row.agent_id, row.team_id, (row.conversation_id, row.episode) in breached)
        for row in answered
    ]


async def breaches(
    db: Database, start: datetime, end: datetime
) -> list[tuple[str, str | None, str | None]]:
    """Each breach in [start, end): its kind, the agent holding the conversation, the team."""
    ev = conversation_events.c
    async with db.read() as conn:
        rows = await conn.execute(
            select(ev.data["kind"].as_string(), ev.agent_id, ev.team_id).where(
                ev.type == "sla_breached", ev.at >= start, ev.at < end
            )
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def next_responses(db: Database, start: datetime, end: datetime) -> list[Answered]:
    """Next responses given in [start, end): agent replies that answered the visitor writing
    again after an earlier reply of the same episode, each marked if a next-response breach
    was recorded while the visitor waited for it (all read from the event log and the
    append-only messages)."""
    ev, m = conversation_events.c, messages.c
    async with db.read() as conn:
        given = (
            await conn.execute(
                select(ev.id, ev.conversation_id, ev.episode, ev.at, ev.agent_id, ev.team_id).where(
                    ev.type == "agent_reply", ev.at >= start, ev.at < end
                )
            )
        ).all()
        if not given:
            return []
        keys = list({(row.conversation_id, row.episode) for row in given})
        in_episodes = tuple_(ev.conversation_id, ev.episode).in_(keys)
        # Replies in commit order (the event id), so two in the same instant stay in order.
        replies: dict[tuple[str, int], list[tuple[int, datetime]]] = defaultdict(list)
        breached: dict[tuple[str, int], list[datetime]] = defaultdict(list)
        for event_id, conversation_id, episode, kind, at, next_kind in await conn.execute(
            select(
                ev.id,
                ev.conversation_id,
                ev.episode,
                ev.type,
                ev.at,
                ev.data["kind"].as_string(),
            ).where(in_episodes, ev.type.in_(("agent_reply", "sla_breached")), ev.at < end)
        ):
            if kind == "agent_reply":
                replies[(conversation_id, episode)].append((event_id, clock.as_utc(at)))
            elif next_kind == "next":
                breached[(conversation_id, episode)].append(clock.as_utc(at))
        said: dict[str, list[datetime]] = defaultdict(list)
        for conversation_id, at in await conn.execute(
            select(m.conversation_id, m.created_at).where(
                m.author_kind == "visitor",
                m.conversation_id.in_({key[0] for key in keys}),
                m.created_at < end,
            )
        ):
            said[conversation_id].append(clock.as_utc(at))
    found = []
    for row in given:
        key, at = (row.conversation_id, row.episode), clock.as_utc(row.at)
        before = [earlier for event_id, earlier in replies[key] if event_id < row.id]
        if not before:
            continue  # the episode's first response
        latest = max(before)
        waiting = min((t for t in said[row.conversation_id] if latest < t < at), default=None)
        if waiting is None:
            continue  # a second reply in a row answers nothing new
        late = any(waiting <= t <= at for t in breached[key])
        found.append(Answered(row.agent_id, row.team_id, late))
    return found
