"""The support history ``benchmarks/reports.py`` measures the reports on, and how it is written.

N conversations spread over 180 days, about ten events each: 70 % handed to one of 20 agents
(two bot misses, handoff, queue, assignment, four agent replies, first response, resolution, a
rating for half, a comment on a quarter of those, a first-response target breach for one in
ten), 30 % answered by the bot alone, and one in ten handled conversations reopened (a second
episode). Messages are seeded the way those conversations would have written them; four in ten
conversations carry a label (one in ten of them two); a third of the visitors signed in, two
visitor records per customer, with the retention attributes ``Parley.identify`` sends; each
agent was online eight hours every weekday.

Rows go straight through the database driver (SQLite ``executemany``, PostgreSQL ``COPY``), each
value converted by its column's own SQLAlchemy type, so they are stored exactly as Parley writes
them: SQLAlchemy's per-row parameter handling made seeding take minutes longer than measuring.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from parley.db import Database
from parley.db.schema import (
    agent_presence,
    agents,
    conversation_episodes,
    conversation_events,
    conversation_labels,
    conversations,
    messages,
    visitors,
)
from parley.routing.hours import parse_business_hours

HOURS = parse_business_hours("mon-fri 09:00-17:00", "Europe/Ljubljana")
END = datetime(2026, 12, 1, tzinfo=UTC)
DAYS_SEEDED = 180
AGENTS = [f"agt_{n}" for n in range(20)]
LABELS = ["billing", "login", "shipping", "refund", "bug", "feature", "account", "invoice"]
BATCH = 5000  # conversations per transaction
# The driver writes every column named in a table's first row: each row names the same ones.
EMPTY_EPISODE = dict.fromkeys(conversation_episodes.c.keys())


@dataclass
class Batch:
    """The rows of one transaction, per table, in the order foreign keys need."""

    rows: dict[Table, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            table: []
            for table in (
                visitors,
                conversations,
                conversation_episodes,
                conversation_events,
                messages,
                conversation_labels,
            )
        }
    )


async def seed(db: Database, count: int, rng: random.Random) -> int:
    """The agents, their presence and ``count`` conversations; returns the events written."""
    async with db.transaction() as conn:
        await conn.execute(insert(agents), [_agent(agent_id) for agent_id in AGENTS])
        await write_rows(conn, agent_presence, _presence())
    events = 0
    for first in range(0, count, BATCH):
        batch = Batch()
        for i in range(first, min(first + BATCH, count)):
            _one_conversation(i, count, rng, batch)
        async with db.transaction() as conn:
            for table, rows in batch.rows.items():
                await write_rows(conn, table, rows)
        await db.checkpoint()  # as Parley's housekeeping does: the WAL stays small
        events += len(batch.rows[conversation_events])
    return events


async def write_rows(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` through the driver, each value converted by its column's type."""
    if not rows:
        return
    dialect = conn.dialect
    columns = [table.c[name] for name in rows[0]]
    converted = []  # column by column: one type lookup per column, not per value
    for column in columns:
        step = column.type.dialect_impl(dialect).bind_processor(dialect)
        given = [row[column.name] for row in rows]
        converted.append(given if step is None else [None if v is None else step(v) for v in given])
    values = list(zip(*converted, strict=True))
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    if conn.dialect.name == "sqlite":
        names = ", ".join(column.name for column in columns)
        marks = ", ".join("?" for _ in columns)
        await driver.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)
    else:
        await driver.copy_records_to_table(
            table.name, records=values, columns=[column.name for column in columns]
        )


def _agent(agent_id: str) -> dict[str, Any]:
    return {
        "id": agent_id,
        "email": f"{agent_id}@example.com",
        "name": agent_id.replace("agt_", "Agent "),
        "password_hash": "-",
        "role": "agent",
        "created_at": END - timedelta(days=DAYS_SEEDED + 1),
    }


def _presence() -> list[dict[str, Any]]:
    """Each agent online 09:00-17:00 UTC every weekday of the seeded days."""
    stretches = []
    for day in range(DAYS_SEEDED):
        morning = (END - timedelta(days=day + 1)).replace(hour=9)
        if morning.weekday() >= 5:
            continue
        for agent_id in AGENTS:
            evening = morning + timedelta(hours=8)
            stretches.append(
                {
                    "id": f"prs_{agent_id}_{day}",
                    "agent_id": agent_id,
                    "online_at": morning,
                    "seen_at": evening,
                    "offline_at": evening,
                }
            )
    return stretches


def _customer(rng: random.Random) -> dict[str, Any]:
    """What a host site passes to ``Parley.identify`` for a signed-in customer."""
    since = END - timedelta(days=rng.uniform(0, 3 * 365))
    churned = since + timedelta(days=rng.uniform(30, 3 * 365)) if rng.random() < 0.3 else None
    purchases = rng.randint(1, 20)
    return {
        "customer_since": since.date().isoformat(),
        "churned_at": churned.date().isoformat() if churned and churned < END else None,
        "revenue": round(purchases * rng.uniform(10, 200), 2),
        "purchases": purchases,
    }


def _one_conversation(i: int, count: int, rng: random.Random, batch: Batch) -> None:
    """Conversation ``i`` of ``count``, opened in time order as a live site's are (so each
    batch adds to the end of the time indexes, as live writes do)."""
    seconds = DAYS_SEEDED * 86400 * (count - i - rng.random()) / count
    cid, opened = f"cnv_{i:07d}", END - timedelta(seconds=seconds)
    handled = rng.random() < 0.7
    agent_id = rng.choice(AGENTS) if handled else None
    signed_in = i % 3 == 0
    batch.rows[visitors].append(
        {
            "id": f"vis_{i:07d}",
            "attributes": _customer(rng) if signed_in else {},
            "user_id": f"usr_{i // 6}" if signed_in else None,
            "verified": signed_in,
            "created_at": opened,
            "last_seen_at": opened,
        }
    )
    if rng.random() < 0.4:
        for label in rng.sample(LABELS, 2 if rng.random() < 0.1 else 1):
            batch.rows[conversation_labels].append(
                {"conversation_id": cid, "label": label, "created_at": opened}
            )
    seq = 0

    def say(kind: str, at: datetime) -> None:
        nonlocal seq
        seq += 1
        batch.rows[messages].append(
            {
                "id": f"msg_{i:07d}_{seq}",
                "conversation_id": cid,
                "seq": seq,
                "author_kind": kind,
                "author_id": agent_id if kind == "agent" else None,
                "text": "…",
                "internal": False,
                "attachment_ids": [],
                "created_at": at,
            }
        )

    def event(
        number: int, kind: str, at: datetime, agent: str | None = None, /, **data: Any
    ) -> None:
        batch.rows[conversation_events].append(
            {
                "conversation_id": cid,
                "episode": number,
                "type": kind,
                "at": at,
                "agent_id": agent,
                "data": data,
            }
        )

    episodes = 2 if handled and rng.random() < 0.1 else 1
    moment = opened
    for number in range(1, episodes + 1):
        began = moment
        row: dict[str, Any] = {
            **EMPTY_EPISODE,
            "conversation_id": cid,
            "number": number,
            "opened_at": began,
            "opened_by": "visitor",
            "bot_answers": 0,
            "bot_misses": 0,
        }
        event(number, "created" if number == 1 else "reopened", began)
        say("visitor", began)
        if not handled:
            say("bot", began + timedelta(seconds=2))
            event(number, "bot_answered", began + timedelta(seconds=2), answered=True)
            moment = began + timedelta(minutes=rng.uniform(1, 30))
            event(number, "resolved", moment, by="visitor", self_served=True)
            row.update(
                bot_answers=1,
                resolved_at=moment,
                resolved_by="visitor",
                self_served=True,
                resolution_seconds=(moment - began).total_seconds(),
                resolution_business_seconds=HOURS.open_seconds_between(began, moment),
            )
        else:
            if number == 1:
                for _ in range(2):
                    say("bot", moment + timedelta(seconds=2))
                    event(number, "bot_answered", moment + timedelta(seconds=2), answered=False)
                    moment += timedelta(seconds=30)
                    say("visitor", moment)
                event(number, "handoff", moment, reason="bot_unanswered")
                event(number, "queued", moment, reason="handoff")
                row.update(bot_misses=2, handoff_at=moment, queued_at=moment)
                row.update(handoff_reason="bot_unanswered")
            event(number, "assigned", moment, agent_id, how="auto")
            row.update(first_assigned_at=moment, first_agent_id=agent_id)
            since = moment
            moment += timedelta(seconds=rng.expovariate(1 / 900))
            wait = (moment - since).total_seconds()
            inside = HOURS.open_seconds_between(since, moment)
            row.update(
                first_response_at=moment,
                first_response_seconds=wait,
                first_response_business_seconds=inside,
            )
            if rng.random() < 0.1:
                event(number, "sla_breached", since + timedelta(minutes=10), agent_id, kind="first")
            for reply in range(4):
                say("agent", moment)
                event(number, "agent_reply", moment, agent_id)
                if reply == 0:
                    event(
                        number,
                        "first_response",
                        moment,
                        agent_id,
                        seconds=wait,
                        business_seconds=inside,
                    )
                moment += timedelta(seconds=rng.expovariate(1 / 600))
            event(number, "resolved", moment, agent_id, by="agent", self_served=False)
            row.update(
                resolved_at=moment,
                resolved_by="agent",
                resolved_by_agent_id=agent_id,
                self_served=False,
                resolution_seconds=(moment - began).total_seconds(),
                resolution_business_seconds=HOURS.open_seconds_between(began, moment),
            )
            if rng.random() < 0.5:
                score = rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
                comment = "It took a while." if rng.random() < 0.25 else None
                event(number, "rated", moment, score=score, commented=comment is not None)
                row.update(rating=score, rating_comment=comment, rated_at=moment)
            moment += timedelta(hours=rng.uniform(1, 48))
        batch.rows[conversation_episodes].append(row)
    batch.rows[conversations].append(
        {
            "id": cid,
            "visitor_id": f"vis_{i:07d}",
            "status": "resolved",
            "episode": episodes,
            "last_seq": seq,
            "created_at": opened,
            "updated_at": moment,
        }
    )
