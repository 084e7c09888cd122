"""The reports on SQLite and PostgreSQL at scale, beside a plain baseline in the same run.

Seeds a fresh database per backend with N conversations (default 200,000: about 2,100,000
events; ``benchmarks/_reports_history.py`` says what they hold) and times, for the last 90 days:

- **baseline**: the overview's figures the plain way, by scanning ``messages``: each
  conversation's first visitor message, first agent message and last message (GROUP BY over
  every message), then new conversations, first response and resolution (median, p90, wall
  clock and business hours) in Python;
- **overview**: ``reports.overview.overview``, what ``GET /api/v1/reports/overview`` computes per
  period (it computes two: the period and the one before). Targets: 300 ms on PostgreSQL, 1 s on
  SQLite;
- **charts, agents, csat, labels, retention**: what ``GET /api/v1/reports/{name}`` computes for
  an admin with no filter. They have no plain twin of their own: the scan of messages is their
  yardstick too, so the ratio still compares two things measured on the same load.

Each is run 5 times interleaved; the table gives the median and the ratio baseline / report
measured in the same run (this machine is shared: absolute times move). The load generator and
the database share the machine's cores. Run: ``.venv/bin/python benchmarks/reports.py``
(``--conversations 20000`` for a quick look). At the default it takes about ten minutes on 2
shared cores, most of it seeding (each backend's seeding time is printed as it ends).
"""

from __future__ import annotations

import argparse
import asyncio
import os
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

from sqlalchemy import case, func, select, text

from _report import REPO, commit_measured, print_table
from _reports_history import END, HOURS, seed

sys.path.insert(0, str(REPO))  # tests.support: temporary PostgreSQL databases

from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database

from parley.db import Database
from parley.db.schema import messages
from parley.reports import charts, labels, people, retention
from parley.reports.overview import overview, percentile
from parley.reports.period import Period
from parley.reports.store import Scope
from parley.routing.hours import BusinessHours

ROUNDS = 5
BASELINE = "baseline (scan messages)"
TARGET_MS = {"SQLite": 1000, "PostgreSQL": 300}  # the 90-day overview's


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
        [
            "backend",
            "90 days of",
            "median ms",
            "target ms",
            "baseline / it",
            "events",
            "conversations",
        ],
        rows,
    )
    print(
        f"\ncommit {commit_measured('server', 'benchmarks')}; Python {platform.python_version()}, "
        f"SQLAlchemy {version('sqlalchemy')}, aiosqlite {version('aiosqlite')}, "
        f"asyncpg {version('asyncpg')}; {os.cpu_count()} cores shared with the load generator"
        f" and whatever else ran: load average {_load()} (1, 5, 15 min) at the end"
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
    scope = Scope()
    parley_figures = await overview(db, period, scope)
    plain = await baseline(db, period, HOURS)
    # The two ways must count the same conversations, or the comparison means nothing. (Their
    # times differ a little: messages cannot tell when the visitor was handed to a person, so
    # the scan measures from the first message; that gap is why episodes exist.)
    assert plain["new"] == parley_figures.new, (plain["new"], parley_figures.new)
    ways: dict[str, Callable[[], Awaitable[Any]]] = {
        BASELINE: lambda: baseline(db, period, HOURS),
        "overview (episodes)": lambda: overview(db, period, scope),
        "charts": lambda: charts.charts(db, period, scope),
        "agents": lambda: people.agents(db, period, scope),
        "csat": lambda: people.csat(db, period, scope),
        "labels": lambda: labels.labels(db, period, scope),
        "retention": lambda: retention.retention(db, period, scope),
    }
    times: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(ROUNDS):
        for way, work in ways.items():
            began = time.perf_counter()
            await work()
            times[way].append((time.perf_counter() - began) * 1000)
    medians = {way: statistics.median(taken) for way, taken in times.items()}
    return [
        (
            name,
            way,
            f"{medians[way]:.0f}",
            f"≤ {TARGET_MS[name]:,}" if way.startswith("overview") else "",
            f"{medians[BASELINE] / medians[way]:.1f}×",
            f"{events:,}",
            f"{count:,}",
        )
        for way in ways
    ]


def _load() -> str:
    return ", ".join(f"{load:.1f}" for load in os.getloadavg())


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


if __name__ == "__main__":
    main()
