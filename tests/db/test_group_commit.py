"""Writes that arrive together share a transaction, and one bad write never sinks the others."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, func, insert, select

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
    results = await asyncio.gather(*(db.write_batched(write) for _, write in votes))
    assert results == [row_id for row_id, _ in votes]
    assert await db.write_sync(_count(slug)) == 40


async def test_a_failing_write_fails_alone(db: Database) -> None:
    slug = new_id("slug")
    before = [_vote(slug) for _ in range(5)]
    after = [_vote(slug) for _ in range(5)]
    results = await asyncio.gather(
        *(db.write_batched(write) for _, write in before),
        db.write_batched(_explode),
        *(db.write_batched(write) for _, write in after),
        return_exceptions=True,
    )
    errors = [result for result in results if isinstance(result, Exception)]
    assert len(errors) == 1
    assert results[5] is errors[0]
    assert await db.write_sync(_count(slug)) == 10


async def test_a_write_whose_caller_gave_up_still_happens(db: Database) -> None:
    slug = new_id("slug")
    _, write = _vote(slug)
    waiting = asyncio.create_task(db.write_batched(write))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for _ in range(100):
        if await db.write_sync(_count(slug)) == 1:
            return
        await asyncio.sleep(0.01)
    pytest.fail("the queued write was dropped with its caller")
