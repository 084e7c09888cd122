"""The quality loop's SQL: reply experiments, their variants and picks, and the record they read.

Measures come from the event log and episodes (``agent_reply`` events carry the saved reply and
variant used), never from the conversation's current columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    conversation_episodes,
    conversation_events,
    messages,
    new_id,
    reply_experiments,
    reply_variant_picks,
    reply_variants,
    saved_replies,
)
from parley.errors import Conflict, NotFound


@dataclass(frozen=True)
class Experiment:
    id: str
    saved_reply_id: str
    started_by: str | None
    started_at: datetime
    ended_at: datetime | None
    winner: int | None
    variants: tuple[str, ...]  # bodies, by number: A, B, ...


@dataclass(frozen=True)
class Use:
    """An episode in which a variant was sent: the first such reply's time."""

    conversation_id: str
    episode: int
    variant: int
    at: datetime


@dataclass(frozen=True)
class EpisodeOutcome:
    conversation_id: str
    number: int
    resolved_at: datetime | None
    rating: int | None


async def _experiment(conn: AsyncConnection, row: RowMapping) -> Experiment:
    bodies = (
        await conn.execute(
            select(reply_variants.c.body)
            .where(reply_variants.c.experiment_id == row["id"])
            .order_by(reply_variants.c.number)
        )
    ).scalars()
    return replace(record(Experiment, {**row, "variants": ()}), variants=tuple(bodies))


async def experiment_by_id(db: Database, experiment_id: str) -> Experiment:
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(reply_experiments).where(reply_experiments.c.id == experiment_id)
            )
        ).first()
        if row is None:
            raise NotFound("no such reply test")
        return await _experiment(conn, row._mapping)


async def experiments_of(db: Database, saved_reply_id: str) -> list[Experiment]:
    """A reply's tests, the newest first (at most one of them running)."""
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(reply_experiments)
                .where(reply_experiments.c.saved_reply_id == saved_reply_id)
                .order_by(reply_experiments.c.started_at.desc())
            )
        ).mappings()
        return [await _experiment(conn, row) for row in rows.all()]


async def running_experiments(db: Database) -> dict[str, Experiment]:
    """Every running test, by saved reply id."""
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(reply_experiments).where(reply_experiments.c.ended_at.is_(None))
            )
        ).mappings()
        found = [await _experiment(conn, row) for row in rows.all()]
    return {experiment.saved_reply_id: experiment for experiment in found}


async def start_experiment(
    db: Database, saved_reply_id: str, bodies: list[str], started_by: str
) -> Experiment:
    """A new running test of ``bodies``; a reply runs one test at a time."""
    now = clock.now()
    experiment_id = new_id("exp")
    async with db.transaction() as conn:
        reply = (
            await conn.execute(
                select(saved_replies.c.id).where(saved_replies.c.id == saved_reply_id)
            )
        ).first()
        if reply is None:
            raise NotFound("no such saved reply")
        running = (
            await conn.execute(
                select(reply_experiments.c.id).where(
                    reply_experiments.c.saved_reply_id == saved_reply_id,
                    reply_experiments.c.ended_at.is_(None),
                )
            )
        ).first()
        if running is not None:
            raise Conflict("this reply is already being tested", code="test_running")
        await conn.execute(
            insert(reply_experiments).values(
                id=experiment_id,
                saved_reply_id=saved_reply_id,
                started_by=started_by,
                started_at=now,
            )
        )
        await conn.execute(
            insert(reply_variants),
            [
                {"experiment_id": experiment_id, "number": number, "body": body}
                for number, body in enumerate(bodies)
            ],
        )
    return Experiment(experiment_id, saved_reply_id, started_by, now, None, None, tuple(bodies))


async def end_experiment(db: Database, experiment_id: str, winner: int) -> Experiment:
    """Stop the test; the winning wording becomes the saved reply's text."""
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                update(reply_experiments)
                .where(
                    reply_experiments.c.id == experiment_id, reply_experiments.c.ended_at.is_(None)
                )
                .values(ended_at=clock.now(), winner=winner)
                .returning(*reply_experiments.c)
            )
        ).first()
        if row is None:
            raise Conflict("this test is not running", code="test_not_running")
        experiment = await _experiment(conn, row._mapping)
        await conn.execute(
            update(saved_replies)
            .where(saved_replies.c.id == experiment.saved_reply_id)
            .values(body=experiment.variants[winner], updated_at=clock.now())
        )
    return experiment


async def pick(db: Database, experiment_id: str, conversation_id: str, variant: int) -> int:
    """The conversation's variant: ``variant`` if it has none yet, else the one it drew before."""
    stored = reply_variant_picks.c
    already = select(stored.variant).where(
        stored.experiment_id == experiment_id, stored.conversation_id == conversation_id
    )
    async with db.read() as conn:
        earlier = (await conn.execute(already)).scalar()
    if earlier is not None:
        return int(earlier)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                insert(reply_variant_picks).values(
                    experiment_id=experiment_id,
                    conversation_id=conversation_id,
                    variant=variant,
                    picked_at=clock.now(),
                )
            )
        return variant
    except IntegrityError:  # another tab drew first: theirs stands
        async with db.read() as conn:
            return int((await conn.execute(already)).scalar_one())


async def pick_of(
    db: Database, saved_reply_id: str, conversation_id: str
) -> tuple[str, int] | None:
    """The conversation's draw (test id, variant) in this reply's latest test that it drew in."""
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(reply_variant_picks.c.experiment_id, reply_variant_picks.c.variant)
                .join(
                    reply_experiments, reply_experiments.c.id == reply_variant_picks.c.experiment_id
                )
                .where(
                    reply_experiments.c.saved_reply_id == saved_reply_id,
                    reply_variant_picks.c.conversation_id == conversation_id,
                )
                .order_by(reply_experiments.c.started_at.desc())
                .limit(1)
            )
        ).first()
    return (row.experiment_id, row.variant) if row else None


# --- the record the measures read -----------------------------------------------------------

_EVENT = conversation_events.c


async def uses_of(db: Database, experiment_id: str) -> list[Use]:
    """Each episode that got a variant of this test, with the first such reply's time."""
    variant = _EVENT.data["variant"].as_integer()
    async with db.read() as conn:
        rows = await conn.execute(
            select(
                _EVENT.conversation_id,
                _EVENT.episode,
                variant.label("variant"),
                func.min(_EVENT.at),
            )
            .where(
                _EVENT.type == "agent_reply", _EVENT.data["experiment"].as_string() == experiment_id
            )
            .group_by(_EVENT.conversation_id, _EVENT.episode, variant)
        )
        return [Use(row[0], row[1], row[2], clock.as_utc(row[3])) for row in rows]


async def outcomes_of(
    db: Database, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], EpisodeOutcome]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    e = conversation_episodes.c
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(e.conversation_id, e.number, e.resolved_at, e.rating).where(
                    tuple_(e.conversation_id, e.number).in_(wanted)
                )
            )
        ).mappings()
        found = [record(EpisodeOutcome, row) for row in rows]
    return {(outcome.conversation_id, outcome.number): outcome for outcome in found}


async def reopen_times(
    db: Database, conversation_ids: Iterable[str], since: datetime
) -> dict[str, list[datetime]]:
    """When each conversation was reopened since ``since``."""
    return await _times(
        db,
        select(_EVENT.conversation_id, _EVENT.at).where(
            _EVENT.type == "reopened",
            _EVENT.conversation_id.in_(list(conversation_ids)),
            _EVENT.at >= since,
        ),
    )


async def visitor_message_times(
    db: Database, conversation_ids: Iterable[str], since: datetime
) -> dict[str, list[datetime]]:
    """When the visitor wrote in each conversation since ``since`` (messages are append-only)."""
    m = messages.c
    return await _times(
        db,
        select(m.conversation_id, m.created_at).where(
            m.author_kind == "visitor",
            m.conversation_id.in_(list(conversation_ids)),
            m.created_at >= since,
        ),
    )


async def _times(db: Database, statement: object) -> dict[str, list[datetime]]:
    found: dict[str, list[datetime]] = {}
    async with db.read() as conn:
        for conversation_id, at in await conn.execute(statement):  # type: ignore[call-overload]
            found.setdefault(conversation_id, []).append(clock.as_utc(at))
    return found


async def reply_usage(db: Database) -> dict[str, int]:
    """How many replies to visitors each saved reply went into (from ``agent_reply`` events)."""
    reply = _EVENT.data["saved_reply"].as_string()
    async with db.read() as conn:
        rows = await conn.execute(
            select(reply, func.count())
            .where(_EVENT.type == "agent_reply", reply.is_not(None))
            .group_by(reply)
        )
        return {row[0]: row[1] for row in rows}
