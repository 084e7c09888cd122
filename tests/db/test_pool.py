"""PostgreSQL's fixed pool, and message appends that share one commit per batch (both backends).

Opening a PostgreSQL connection forks a server process; a pool that opens extra connections
for a burst and closes them after pays that on every burst. A message append that commits
alone pays a commit (an fsync) per message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import Engine, event, text

from parley.conversation.store import append_message
from parley.db import Database
from tests.db.test_engine import _conversation
from tests.support.postgres import POSTGRES_ADMIN_URL


@contextmanager
def _counting(what: str, target: Any = Engine) -> Iterator[list[int]]:
    """Count an engine event (``commit``, ``connect``) while the block runs."""
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    event.listen(target, what, count)
    try:
        yield seen
    finally:
        event.remove(target, what, count)


@contextmanager
def _on_postgresql(db: Database) -> Iterator[None]:
    if db.is_sqlite:
        pytest.skip("the pool under test is PostgreSQL's")
    yield


def _small_pool(db: Database, size: int) -> Database:
    return Database(db.url.render_as_string(hide_password=False), pool_size=size)


async def _backend_pid(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_burst_waits_for_the_pool_instead_of_opening_connections(db: Database) -> None:
    """Both databases: on PostgreSQL a connection is a server process, on SQLite a thread
    with a page cache of its own; neither is opened for a burst and dropped after it."""
    small = _small_pool(db, 2)
    try:
        with _counting("connect", small.engine.sync_engine) as opened:
            for _ in range(3):  # three bursts, each four times the pool
                answers = await asyncio.gather(*(_slow_read(small) for _ in range(8)))
                assert answers == [1] * 8
        assert opened[0] == 2
    finally:
        await small.close()


async def _slow_read(db: Database) -> int:
    async with db.read() as conn:
        answer = int((await conn.execute(text("SELECT 1"))).scalar_one())
        await asyncio.sleep(0.02)  # held a while, as a read among others is
        return answer


async def _slow_pid(db: Database) -> int:
    async with db.read() as conn:
        await conn.execute(text("SELECT pg_sleep(0.02)"))
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_writes_survive_connections_the_server_killed(db: Database) -> None:
    """No pre-ping: the write that meets a dead connection is run again on a fresh one."""
    with _on_postgresql(db):
        small = _small_pool(db, 2)
        try:
            conversation_id = await _conversation(small)
            doomed = set(await asyncio.gather(*(_slow_pid(small) for _ in range(2))))
            admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
            try:
                for pid in doomed:
                    await admin.execute("SELECT pg_terminate_backend($1)", pid)
            finally:
                await admin.close()
            appended = await append_message(
                small,
                conversation_id,
                client_id="after-restart",
                author_kind="visitor",
                author_id=None,
                author_name=None,
                text="still here",
            )
            assert appended.created
            assert appended.message.seq == 1
            assert await _backend_pid(small) not in doomed
        finally:
            await small.close()


async def test_concurrent_appends_share_one_commit(db: Database) -> None:
    conversations = [await _conversation(db) for _ in range(4)]
    with _counting("commit") as commits:
        appended = await asyncio.gather(
            *(
                append_message(
                    db,
                    conversations[i % 4],
                    client_id=f"c-{i}",
                    author_kind="visitor",
                    author_id=None,
                    author_name=None,
                    text=f"message {i}",
                )
                for i in range(20)
            )
        )
    lanes = {db._group_commit.lane_of(conversation) for conversation in conversations}
    assert commits[0] == len(lanes)  # one commit per lane: SQLite has one, PostgreSQL more
    by_conversation: dict[str, list[int]] = {}
    for item in appended:
        by_conversation.setdefault(item.message.conversation_id, []).append(item.message.seq)
    assert sorted(map(sorted, by_conversation.values())) == [[1, 2, 3, 4, 5]] * 4
