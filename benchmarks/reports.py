"""The 90-day overview of Reports on SQLite and PostgreSQL, beside a plain baseline.

Seeds a fresh database per backend with N conversations (default 200,000) spread over 180
days, with about ten events each (2,000,000 for the default): 70 % handed to a person (two bot
misses, handoff, queue, assignment, three agent replies, first response, resolution, a rating
for half), 30 % answered by the bot alone, and one in ten handled conversations reopened
(a second episode). Messages are seeded the way those conversations would have written them.

- **baseline**: the same figures the plain way, by scanning ``messages``: each conversation's
  first visitor message, first agent message and last message (GROUP BY over every message),
  then new conversations, first response and resolution (median, p90, wall clock and business
  hours) in Python;
- **Parley**: ``reports.overview.overview`` for the last 90 days, exactly what
  ``GET /api/v1/reports/overview`` computes per period.

Each is run 5 times interleaved; the table gives the median and the ratio baseline / Parley
measured in the same run (this machine is shared: absolute times move). The load generator and
the database share the machine's 2 cores. Run: ``.venv/bin/python benchmarks/reports.py``
(``--conversations 20000`` for a quick look).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, insert, select, text

from _report import REPO, commit_measured, print_table

sys.path.insert(0, str(REPO))  # tests.support: temporary PostgreSQL databases

from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database

from parley.db import Database
from parley.db.schema import (
    conversation_episodes,
    conversation_events,
    conversations,
    messages,
    visitors,
)
from parley.reports.overview import overview, percentile
from parley.reports.period import Period
from parley.reports.store import Scope
from parley.routing.hours import BusinessHours, parse_business_hours

HOURS = parse_business_hours("mon-fri 09:00-17:00", "Europe/Ljubljana")
END = datetime(2026, 12, 1, tzinfo=UTC)
DAYS_SEEDED = 180
ROUNDS = 5
# executemany needs one set of keys for every row
EMPTY_EPISODE = dict.fromkeys(conversation_episodes.c.keys())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200_000)
    asyncio.run(run(parser.parse_args().conversations))


async def run(count: int) -> None:
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = Database(f"sqlite+aiosqlite:///{Path(folder) / 'reports.db'}")
        rows += await measure("SQLite", sqlite, count)
        await sqlite.close()
    async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
        postgres = Database(url)
        rows += await measure("PostgreSQL", postgres, count)
        await postgres.close()
    print_table(
        ["backend", "way", "median ms", "baseline / Parley", "events", "conversations"], rows
    )
    print(
        f"\ncommit {commit_measured('server', 'benchmarks')}; Python {platform.python_version()}, "
        f"SQLAlchemy {version('sqlalchemy')}, aiosqlite {version('aiosqlite')}, "
        f"asyncpg {version('asyncpg')}; 2 shared cores, load generator on the same machine"
    )


async def measure(name: str, db: Database, count: int) -> list[tuple[str, ...]]:
    await db.upgrade()
    started = time.perf_counter()
    events = await seed(db, count, random.Random(15))
    print(f"{name}: seeded {events:,} events in {time.perf_counter() - started:.0f} s", flush=True)
    await settle(db)
    period = Period(
        (END - timedelta(days=90)).date(), (END - timedelta(days=1)).date(), HOURS.timezone
    )
    parley_figures = await overview(db, period, Scope())
    plain = await baseline(db, period, HOURS)
    # The two ways must count the same conversations, or the comparison means nothing. (Their
    # times differ a little: messages cannot tell when the visitor was handed to a person, so
    # the scan measures from the first message; that gap is why episodes exist.)
    assert plain["new"] == parley_figures.new, (plain["new"], parley_figures.new)
    ways: dict[str, Callable[[], Awaitable[Any]]] = {
        "baseline (scan messages)": lambda: baseline(db, period, HOURS),
        "Parley (episodes)": lambda: overview(db, period, Scope()),
    }
    times: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(ROUNDS):
        for way, work in ways.items():
            began = time.perf_counter()
            await work()
            times[way].append((time.perf_counter() - began) * 1000)
    medians = {way: statistics.median(taken) for way, taken in times.items()}
    ratio = medians["baseline (scan messages)"] / medians["Parley (episodes)"]
    return [
        (
            name,
            way,
            f"{medians[way]:.0f}",
            f"{ratio:.1f}×" if way.startswith("Parley") else "1.0×",
            f"{events:,}",
            f"{count:,}",
        )
        for way in ways
    ]


async def settle(db: Database) -> None:
    """What a live database has done by itself long before anyone asks for a 90-day report:
    statistics gathered and (PostgreSQL) the visibility map that index-only scans need."""
    async with db.engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("ANALYZE" if db.is_sqlite else "VACUUM ANALYZE"))


async def baseline(db: Database, period: Period, hours: BusinessHours) -> dict[str, Any]:
    """The overview's volume and times the plain way: one pass over every message."""
    m = messages.c
    first_visitor = func.min(case((m.author_kind == "visitor", m.created_at)))
    first_agent = func.min(case((m.author_kind == "agent", m.created_at)))
    statement = (
        select(first_visitor, first_agent, func.max(m.created_at))
        .group_by(m.conversation_id)
        .having(and_between(first_visitor, period))
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    waits, inside, spans, spans_inside = [], [], [], []
    for began, answered, last in rows:
        began, last = _utc(began), _utc(last)
        if answered is not None:
            answered = _utc(answered)
            waits.append((answered - began).total_seconds())
            inside.append(hours.open_seconds_between(began, answered))
            spans.append((last - began).total_seconds())
            spans_inside.append(hours.open_seconds_between(began, last))
    return {
        "new": len(rows),
        "first_response_median": percentile(waits, 0.5),
        "first_response_p90": percentile(waits, 0.9),
        "first_response_business_median": percentile(inside, 0.5),
        "resolution_median": percentile(spans, 0.5),
        "resolution_business_p90": percentile(spans_inside, 0.9),
    }


def and_between(column: Any, period: Period) -> Any:
    return (column >= period.start) & (column < period.end)


def _utc(moment: Any) -> datetime:
    if isinstance(moment, str):  # SQLite hands back MIN/MAX of a CASE as text
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def seed(db: Database, count: int, rng: random.Random) -> int:
    """Visitors, conversations, episodes, events and messages in batches; returns the events."""
    total = 0
    for first in range(0, count, 2000):
        batch: dict[str, list[dict[str, Any]]] = {
            "visitors": [],
            "conversations": [],
            "episodes": [],
            "events": [],
            "messages": [],
        }
        for i in range(first, min(first + 2000, count)):
            _one_conversation(i, rng, batch)
        async with db.transaction() as conn:
            await conn.execute(insert(visitors), batch["visitors"])
            await conn.execute(insert(conversations), batch["conversations"])
            await conn.execute(insert(conversation_episodes), batch["episodes"])
            await conn.execute(insert(conversation_events), batch["events"])
            await conn.execute(insert(messages), batch["messages"])
        await db.checkpoint()  # as Parley's housekeeping does: the WAL stays small
        total += len(batch["events"])
    return total


def _one_conversation(i: int, rng: random.Random, batch: dict[str, list[dict[str, Any]]]) -> None:
    cid, opened = f"cnv_{i}", END - timedelta(seconds=rng.uniform(0, DAYS_SEEDED * 86400))
    handled = rng.random() < 0.7
    batch["visitors"].append(
        {"id": f"vis_{i}", "attributes": {}, "verified": False, "created_at": opened}
    )
    seq = 0

    def say(kind: str, at: datetime) -> None:
        nonlocal seq
        seq += 1
        batch["messages"].append(
            {
                "id": f"msg_{i}_{seq}",
                "conversation_id": cid,
                "seq": seq,
                "author_kind": kind,
                "text": "…",
                "attachment_ids": [],
                "created_at": at,
            }
        )

    def event(number: int, kind: str, at: datetime, **data: Any) -> None:
        batch["events"].append(
            {
                "conversation_id": cid,
                "episode": number,
                "type": kind,
                "at": at,
                "agent_id": None,
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
                row.update(handoff_at=moment, handoff_reason="bot_unanswered", queued_at=moment)
            event(number, "assigned", moment, how="auto")
            row.update(first_assigned_at=moment)
            since = moment
            moment += timedelta(seconds=rng.expovariate(1 / 900))
            wait = (moment - since).total_seconds()
            inside = HOURS.open_seconds_between(since, moment)
            row.update(
                first_response_at=moment,
                first_response_seconds=wait,
                first_response_business_seconds=inside,
            )
            for reply in range(4):
                say("agent", moment)
                event(number, "agent_reply", moment)
                if reply == 0:
                    event(number, "first_response", moment, seconds=wait, business_seconds=inside)
                moment += timedelta(seconds=rng.expovariate(1 / 600))
            event(number, "resolved", moment, by="agent", self_served=False)
            row.update(
                resolved_at=moment,
                resolved_by="agent",
                self_served=False,
                resolution_seconds=(moment - began).total_seconds(),
                resolution_business_seconds=HOURS.open_seconds_between(began, moment),
            )
            if rng.random() < 0.5:
                score = rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
                event(number, "rated", moment, score=score, commented=False)
                row.update(rating=score, rated_at=moment)
            moment += timedelta(hours=rng.uniform(1, 48))
        batch["episodes"].append(row)
    batch["conversations"].append(
        {
            "id": cid,
            "visitor_id": f"vis_{i}",
            "status": "resolved",
            "episode": episodes,
            "last_seq": seq,
            "created_at": opened,
            "updated_at": moment,
        }
    )


if __name__ == "__main__":
    main()
