"""Writes that arrive together share a transaction, and one bad write never sinks the others.

On PostgreSQL writes run in several lanes: one key's writes keep their order, a write stuck on
a lock holds up only its own lane, and batches take their row locks in key order, so two
processes' batches never deadlock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, func, insert, select, text, update

from parley import clock
from parley.db import Database
from parley.db.schema import kb_feedback, new_id


def _vote(slug: str) -> tuple[str, Callable[[Connection], str]]:
    row_id = new_id("fb")

    def write(connection: Connection) -> str:
        connection.execute(
            insert(kb_feedback).values(id=row_id, slug=slug, helpful=True, created_at=clock.now())
        )
        return row_id

    return row_id, write


def _count(slug: str) -> Callable[[Connection], int]:
    def read(connection: Connection) -> int:
        return int(
            connection.execute(
                select(func.count()).select_from(kb_feedback).where(kb_feedback.c.slug == slug)
            ).scalar_one()
        )

    return read


def _explode(connection: Connection) -> None:
    connection.execute(insert(kb_feedback).values(id=None, slug="x", helpful=True))


async def test_every_caller_gets_its_own_result_once_committed(db: Database) -> None:
    slug = new_id("slug")
    votes = [_vote(slug) for _ in range(40)]
    results = await asyncio.gather(*(db.write_batched(write, key=slug) for _, write in votes))
    assert results == [row_id for row_id, _ in votes]
    assert await db.write_sync(_count(slug)) == 40


async def test_a_failing_write_fails_alone(db: Database) -> None:
    slug = new_id("slug")
    before = [_vote(slug) for _ in range(5)]
    after = [_vote(slug) for _ in range(5)]
    results = await asyncio.gather(
        *(db.write_batched(write, key=slug) for _, write in before),
        db.write_batched(_explode, key=slug),
        *(db.write_batched(write, key=slug) for _, write in after),
        return_exceptions=True,
    )
    errors = [result for result in results if isinstance(result, Exception)]
    assert len(errors) == 1
    assert results[5] is errors[0]
    assert await db.write_sync(_count(slug)) == 10


async def test_a_write_whose_caller_gave_up_still_happens(db: Database) -> None:
    slug = new_id("slug")
    _, write = _vote(slug)
    waiting = asyncio.create_task(db.write_batched(write, key=slug))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for _ in range(100):
        if await db.write_sync(_count(slug)) == 1:
            return
        await asyncio.sleep(0.01)
    pytest.fail("the queued write was dropped with its caller")


def _on_postgresql(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has one writer, so one lane")


async def _feedback_row(db: Database) -> str:
    row_id, write = _vote(new_id("slug"))
    await db.write_sync(write)
    return row_id


def _flip(row_id: str, runs: list[str], *, hold_s: float = 0.0) -> Callable[[Connection], None]:
    """Update one row (taking its lock), then keep the transaction open a while."""

    def write(connection: Connection) -> None:
        runs.append(row_id)
        connection.execute(
            update(kb_feedback)
            .where(kb_feedback.c.id == row_id)
            .values(helpful=~kb_feedback.c.helpful)
        )
        if hold_s:
            connection.execute(text("SELECT pg_sleep(:s)"), {"s": hold_s})

    return write


async def test_one_keys_writes_run_in_the_order_they_came(db: Database) -> None:
    slug = new_id("slug")
    seen: list[int] = []

    def numbered(n: int) -> Callable[[Connection], int]:
        _, vote = _vote(slug)

        def write(connection: Connection) -> int:
            seen.append(n)
            vote(connection)
            return n

        return write

    assert await asyncio.gather(
        *(db.write_batched(numbered(n), key=slug) for n in range(50))
    ) == list(range(50))
    assert seen == list(range(50))


async def test_a_write_waiting_for_a_lock_holds_up_only_its_own_lane(db: Database) -> None:
    _on_postgresql(db)
    group = db._group_commit
    assert group.lane_of("a") != group.lane_of("b")  # the two keys below take two lanes
    held = await _feedback_row(db)
    slug = new_id("slug")
    _, free = _vote(slug)
    async with db.transaction() as holder:  # another transaction holds the row's lock
        await holder.execute(
            update(kb_feedback).where(kb_feedback.c.id == held).values(helpful=False)
        )
        stuck = asyncio.create_task(db.write_batched(_flip(held, []), key="a"))
        await asyncio.wait_for(db.write_batched(free, key="b"), timeout=10)
        assert not stuck.done()
    await asyncio.wait_for(stuck, timeout=10)
    assert await db.write_sync(_count(slug)) == 1


async def test_two_processes_batches_never_deadlock(db: Database) -> None:
    """Each batch updates two rows, in opposite orders in the two processes; sorted by key,
    both take the locks in one order, so one waits for the other and none is rolled back."""
    _on_postgresql(db)
    other = Database(db.url.render_as_string(hide_password=False))
    try:
        assert db._group_commit.lane_of("a") == db._group_commit.lane_of("c")  # one batch
        row_a, row_c = await _feedback_row(db), await _feedback_row(db)
        runs: list[str] = []

        async def batch(process: Database, first: tuple[str, str], then: tuple[str, str]) -> None:
            await asyncio.gather(
                *(
                    process.write_batched(_flip(row, runs, hold_s=0.3), key=key)
                    for key, row in (first, then)
                )
            )

        await asyncio.wait_for(
            asyncio.gather(
                batch(db, ("c", row_c), ("a", row_a)),
                batch(other, ("a", row_a), ("c", row_c)),
            ),
            timeout=20,
        )
        assert sorted(runs) == sorted([row_a, row_c] * 2)  # each write ran once: no retry
    finally:
        await other.close()
