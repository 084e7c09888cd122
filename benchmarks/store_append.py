"""What storing a chat message costs: Parley's append against the same statements on the bare
driver, in the same run, on the same SQLite file.

    .venv/bin/python benchmarks/store_append.py [--messages 2000] [--rounds 3] [--batch 8]

Baseline: Python's ``sqlite3`` with the settings Parley uses (``db.engine.SQLITE_PRAGMAS``:
WAL, ``synchronous=FULL``, no automatic checkpoint; ``BEGIN IMMEDIATE``) running the two
statements of Parley's append (number the message unless its ``client_id`` is stored,
returning the conversation; insert the message), then committing. Before every pass the
write-ahead log is checkpointed, as a serving process's housekeeping does every 2 s (a pass is
about that long).
Parley: ``store.append_message``, one message at a time (each its own transaction, as when
messages arrive one by one), and ``--batch`` at once (they share one transaction through the
group commit); the baseline commits the same number together. Figures: CPU time of this
process (every thread) per message, and wall time per message, the best of ``--rounds``
interleaved rounds; the ratio to the baseline is the claim.

``ws_load.py`` shows the store's share of a serving process under load: its event-loop thread
column leaves out the SQLite writer thread.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path

from _report import REPO, commit_measured, print_table

sys.path.insert(0, str(REPO))  # tests.support: a conversation made as the tests make one

from tests.support.factories import new_conversation

from parley import clock
from parley.conversation import store
from parley.db import Database
from parley.db.engine import SQLITE_PRAGMAS

CONVERSATIONS = 200
TEXT = "Hello! How do I export last month's invoices as a CSV file?"
NUMBER = (
    "UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ? AND NOT "
    "EXISTS (SELECT 1 FROM messages WHERE conversation_id = ? AND client_id = ?) RETURNING *"
)
INSERT = (
    "INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, text, internal, "
    "attachment_ids, created_at) VALUES (?, ?, ?, ?, 'visitor', ?, 0, '[]', ?)"
)

Append = Callable[[int], Awaitable[None]]  # stores that many messages, sharing a transaction


async def conversations(db: Database) -> list[str]:
    return [(await new_conversation(db)).id for _ in range(CONVERSATIONS)]


def bare_driver(path: Path, targets: list[str], serial: itertools.count[int]) -> Append:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")

    async def append(count: int) -> None:
        connection.execute("BEGIN IMMEDIATE")
        for _ in range(count):
            number = next(serial)
            target, client_id = targets[number % len(targets)], f"raw-{number}"
            now = clock.now().isoformat(" ", "microseconds")[:26]
            cursor = connection.execute(NUMBER, (now, target, target, client_id))
            names = [column[0] for column in cursor.description]
            row = dict(zip(names, cursor.fetchone(), strict=True))
            values = (f"msg_raw{number}", target, row["last_seq"], client_id, TEXT, now)
            connection.execute(INSERT, values)
        connection.execute("COMMIT")

    return append


def parley(db: Database, targets: list[str], serial: itertools.count[int]) -> Append:
    async def one() -> None:
        number = next(serial)
        await store.append_message(
            db,
            targets[number % len(targets)],
            client_id=f"parley-{number}",
            author_kind="visitor",
            author_id=None,
            author_name=None,
            text=TEXT,
        )

    async def append(count: int) -> None:
        if count == 1:  # as a socket's task awaits its own message
            await one()
        else:  # as that many sockets' tasks do at once
            await asyncio.gather(*(one() for _ in range(count)))

    return append


async def cost(append: Append, messages: int, batch: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per message."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(messages // batch):
        await append(batch)
    done = messages // batch * batch
    return (
        (time.process_time() - cpu) / done * 1e6,
        (time.perf_counter() - wall) / done * 1e6,
    )


async def measure(messages: int, rounds: int, batch: int) -> list[list[str]]:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "parley.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        targets = await conversations(db)
        serial = itertools.count()
        runs = {
            "bare sqlite3": bare_driver(path, targets, serial),
            "parley": parley(db, targets, serial),
        }
        for append in runs.values():  # warm: statement caches, the writer thread
            await cost(append, 100, 1)
        best: dict[tuple[str, int], tuple[float, float]] = {}
        for _ in range(rounds):
            for size in (1, batch):
                for name, append in runs.items():
                    await db.checkpoint()  # as a server's housekeeping does every 2 s
                    figures = await cost(append, messages, size)
                    best[name, size] = min(best.get((name, size), figures), figures)
        await db.close()
    rows = []
    for size in (1, batch):
        base_cpu, base_wall = best["bare sqlite3", size]
        cpu, wall = best["parley", size]
        rows.append([str(size), "bare sqlite3", f"{base_cpu:.0f}", f"{base_wall:.0f}", "", ""])
        rows.append(
            [
                str(size),
                "parley",
                f"{cpu:.0f}",
                f"{wall:.0f}",
                f"×{cpu / base_cpu:.2f}",
                f"×{wall / base_wall:.2f}",
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per round and batch size")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8, help="messages sharing a transaction")
    options = parser.parse_args()
    rows = asyncio.run(measure(options.messages, options.rounds, options.batch))
    header = [
        "messages per transaction",
        "store",
        "CPU µs / msg",
        "wall µs / msg",
        "CPU ÷ bare",
        "wall ÷ bare",
    ]
    print_table(header, rows)
    print()
    print(
        f"{options.messages:,} messages per round and size, best of {options.rounds} "
        f"interleaved rounds; CPU = this process's user + system time, every thread; "
        f"commit {commit_measured('server', 'benchmarks')}; python {platform.python_version()}, "
        f"sqlite {sqlite3.sqlite_version}, sqlalchemy {version('sqlalchemy')}."
    )


if __name__ == "__main__":
    main()
