"""The console's conversation search on SQLite and PostgreSQL, without and with its indexes.

Seeds a fresh database per backend (SQLite file, temporary PostgreSQL database) with N
conversations of 10 short support messages each, at migration 0004 (no search index), and runs
a mix of searches as an admin: a rare word, a common word, a 2-character query (always a plain
scan), a fragment of a few visitors' email, a word nobody wrote.

- **baseline**: the same data, migration 0004, the same query without SQLite's message index;
- **indexed**: after ``Database.upgrade`` (0005: pg_trgm GIN indexes, SQLite FTS5 trigram),
  searched through ``search_conversations``, exactly what the console API calls.

Times are noisy on this shared machine, so the claim is the ratio baseline / indexed measured
in the same run (queries interleaved round by round). Every search must find the same
conversations both ways, or the script fails. Run: ``.venv/bin/python benchmarks/console_search.py``
(``--conversations 2000`` for a quick look).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import insert, text

from _report import REPO, commit_measured, print_table

sys.path.insert(0, str(REPO))  # tests.support: migrating and temporary PostgreSQL databases

from tests.support.migrations import upgrade_to
from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database

from parley.console import store
from parley.db import Database
from parley.db.schema import conversations, messages, visitors

MESSAGES_PER_CONVERSATION = 10
ROUNDS = 15
QUERIES = {
    "rare word": "quetzal",  # in 1 message of 5,000
    "common word": "refund",  # in about 1 message of 8
    "2 characters": "zq",  # never written: scanned to the end
    "email fragment": "lindqvist",  # in 1 visitor's email of 500
    "nothing": "kaleidoscope",
}
SUBJECTS = ["order", "invoice", "parcel", "account", "password", "subscription", "voucher"]
PHRASES = [
    "Hi, I have a question about my {s}.",
    "Could you check my {s} please? It says pending since Monday.",
    "I would like a refund for the {s}, it arrived broken.",
    "Thanks, that worked! Have a nice day.",
    "Sorry for the delay, I have looked at your {s} and fixed it.",
    "The {s} number is {n}, I paid by card.",
    "Is it possible to change the delivery address on the {s}?",
    "We have sent a new link to your email, it is valid for 24 hours.",
]
NAMES = ["Ana", "Bojan", "Marta", "Tomasz", "Eva", "Luka", "Zofia", "Nina", "Piotr", "Maja"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(run(args.conversations))


async def run(count: int) -> None:
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        rows += await measure("SQLite", sqlite_db, count)
        await sqlite_db.close()
    async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
        pg_db = Database(url)
        rows += await measure("PostgreSQL", pg_db, count)
        await pg_db.close()
    header = ("database", "search", "baseline p50 / p99 ms", "indexed p50 / p99 ms", "p50 ratio")
    print_table(header, rows)
    print()
    print(
        f"N = {count:,} conversations × {MESSAGES_PER_CONVERSATION} messages per database, "
        f"{ROUNDS} rounds of the {len(QUERIES)} searches, baseline and indexed on the same data "
        "(baseline at migration 0004, indexed after upgrading to 0005), one search at a time, "
        "page of 20 as an admin; client and database share the machine's 2 cores."
    )
    print(f"commit: {commit_measured('server/parley')}")
    print(
        f"python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        + ", ".join(f"{name} {version(name)}" for name in ("sqlalchemy", "aiosqlite", "asyncpg"))
    )


async def measure(name: str, db: Database, count: int) -> list[tuple[str, ...]]:
    """Seed at 0004, time the searches, upgrade, time them again; a row per search."""
    await upgrade_to(db, "0004")
    started = time.perf_counter()
    await seed(db, count, random.Random(7))
    seeded = time.perf_counter() - started
    await _analyze(db)
    baseline = await _timed(lambda q: _baseline_ids(db, q))
    started = time.perf_counter()
    await db.upgrade()
    upgraded = time.perf_counter() - started
    await _analyze(db)
    indexed = await _timed(lambda q: _indexed_ids(db, q))
    print(
        f"{name}: seeded in {seeded:.1f} s, migration 0005 (index build) took {upgraded:.1f} s",
        file=sys.stderr,
    )
    rows = []
    for label, query in QUERIES.items():
        (base_ids, base_ms), (ids, ms) = baseline[query], indexed[query]
        if ids != base_ids:
            raise SystemExit(f"{name} {label!r}: the index changed the result")
        b50, i50 = statistics.median(base_ms), statistics.median(ms)
        rows.append(
            (
                name,
                f"{label} `{query}`",
                f"{b50:.1f} / {_p99(base_ms):.1f}",
                f"{i50:.1f} / {_p99(ms):.1f}",
                f"{b50 / i50:.1f}×",
            )
        )
    return rows


async def seed(db: Database, count: int, rng: random.Random) -> None:
    """Visitors, one conversation each, short messages; a few rare words and email domains."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for first in range(0, count, 1000):
        people, talks, said = [], [], []
        for i in range(first, min(first + 1000, count)):
            when = start + timedelta(minutes=i)
            domain = "lindqvist.example" if i % 500 == 0 else f"mail{i % 37}.example"
            name = rng.choice(NAMES)
            people.append(
                {
                    "id": f"vis_{i}",
                    "name": name,
                    "email": f"{name.lower()}{i}@{domain}",
                    "attributes": {},
                    "verified": False,
                    "created_at": when,
                }
            )
            talks.append(
                {
                    "id": f"cnv_{i}",
                    "visitor_id": f"vis_{i}",
                    "status": "resolved",
                    "created_at": when,
                    "updated_at": when + timedelta(minutes=rng.randrange(600)),
                }
            )
            for seq in range(1, MESSAGES_PER_CONVERSATION + 1):
                said.append(
                    {
                        "id": f"msg_{i}_{seq}",
                        "conversation_id": f"cnv_{i}",
                        "seq": seq,
                        "author_kind": "visitor" if seq % 2 else "agent",
                        "text": _message_text(rng),
                        "attachment_ids": [],
                        "created_at": when,
                    }
                )
        async with db.transaction() as conn:
            await conn.execute(insert(visitors), people)
            await conn.execute(insert(conversations), talks)
            await conn.execute(insert(messages), said)


def _message_text(rng: random.Random) -> str:
    said = rng.choice(PHRASES).format(s=rng.choice(SUBJECTS), n=rng.randrange(10**6, 10**7))
    if rng.random() < 1 / 5000:
        said += " My parrot is called Quetzal."
    return said


async def _timed(
    find: Callable[[str], Awaitable[list[str]]],
) -> dict[str, tuple[list[str], list[float]]]:
    results: dict[str, tuple[list[str], list[float]]] = {q: ([], []) for q in QUERIES.values()}
    for _ in range(ROUNDS):
        for query in QUERIES.values():
            started = time.perf_counter()
            ids = await find(query)
            results[query][1].append((time.perf_counter() - started) * 1000)
            results[query][0][:] = ids
    return results


async def _baseline_ids(db: Database, query: str) -> list[str]:
    statement = store.search_query(
        store.Search(text=query), agent_id="agt_bench", is_admin=True, message_index=False
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).mappings().all()
    return [row["id"] for row in rows[:20]]


async def _indexed_ids(db: Database, query: str) -> list[str]:
    page, _ = await store.search_conversations(
        db, store.Search(text=query), agent_id="agt_bench", is_admin=True
    )
    return [conversation.id for conversation in page]


async def _analyze(db: Database) -> None:
    """Fresh planner statistics, as a database that has been running a while has."""
    async with db.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
