"""The data layer on both backends: migrations, constraints that protect messages, WAL."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import Connection, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from parley import clock
from parley.db import Database
from parley.db.schema import conversations, messages, metadata, new_id, visitors


async def _conversation(db: Database) -> str:
    visitor_id, conversation_id = new_id("vis"), new_id("cnv")
    async with db.transaction() as conn:
        await conn.execute(
            insert(visitors).values(
                id=visitor_id, attributes={}, verified=False, created_at=clock.now()
            )
        )
        await conn.execute(
            insert(conversations).values(
                id=conversation_id,
                visitor_id=visitor_id,
                status="bot",
                last_seq=0,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    return conversation_id


def _message(conversation_id: str, seq: int, client_id: str | None) -> dict[str, object]:
    return {
        "id": new_id("msg"),
        "conversation_id": conversation_id,
        "seq": seq,
        "client_id": client_id,
        "author_kind": "visitor",
        "text": f"message {seq}",
        "internal": False,
        "attachment_ids": [],
        "created_at": clock.now(),
    }


async def test_migrations_create_every_table_and_can_run_again(db: Database) -> None:
    await db.upgrade()  # a second run is a no-op, not an error
    async with db.read() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


async def test_a_client_id_is_stored_once_per_conversation(db: Database) -> None:
    conversation_id = await _conversation(db)
    async with db.transaction() as conn:
        await conn.execute(insert(messages).values(**_message(conversation_id, 1, "c-1")))
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(insert(messages).values(**_message(conversation_id, 2, "c-1")))
    other = await _conversation(db)
    async with db.transaction() as conn:  # the same client_id elsewhere is fine
        await conn.execute(insert(messages).values(**_message(other, 1, "c-1")))


async def test_a_seq_never_repeats_within_a_conversation(db: Database) -> None:
    conversation_id = await _conversation(db)
    async with db.transaction() as conn:
        await conn.execute(insert(messages).values(**_message(conversation_id, 1, None)))
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(insert(messages).values(**_message(conversation_id, 1, None)))


async def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    conversation_id = await _conversation(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(insert(messages).values(**_message(conversation_id, 1, "x")))
            raise RuntimeError("boom")
    async with db.read() as conn:
        stored = (await conn.execute(select(messages.c.id))).all()
    assert stored == []


async def test_concurrent_writers_all_succeed(db: Database) -> None:
    conversation_id = await _conversation(db)

    async def write(seq: int) -> None:
        async with db.transaction() as conn:
            await conn.execute(insert(messages).values(**_message(conversation_id, seq, None)))

    await asyncio.gather(*(write(seq) for seq in range(1, 41)))
    async with db.read() as conn:
        seqs = sorted((await conn.execute(select(messages.c.seq))).scalars())
    assert seqs == list(range(1, 41))


async def test_sqlite_runs_in_wal_mode(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("WAL is a SQLite setting")
    async with db.read() as conn:
        mode = await conn.scalar(text("PRAGMA journal_mode"))
    assert mode == "wal"


async def test_a_sqlite_write_holds_the_write_lock_from_its_start_and_rolls_back_whole(
    db: Database,
) -> None:
    """The writer's transactions begin IMMEDIATE: no other writer can slip in between its
    first read and its write (and be refused halfway); one that raises leaves nothing."""
    if not db.is_sqlite:
        pytest.skip("BEGIN IMMEDIATE is a SQLite setting")
    database_file = db.url.database
    assert database_file is not None

    def other_writer_refused(conn: object) -> bool:
        other = sqlite3.connect(database_file, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as refused:
            return "locked" in str(refused)
        finally:
            other.close()
        return False

    assert await db.write_sync(other_writer_refused)

    visitor_id = new_id("vis")

    def insert_then_fail(conn: Connection) -> None:
        conn.execute(insert(visitors).values(id=visitor_id, created_at=clock.now()))
        raise RuntimeError("half done")

    with pytest.raises(RuntimeError):
        await db.write_sync(insert_then_fail)
    async with db.read() as conn:
        assert await conn.scalar(select(visitors.c.id).where(visitors.c.id == visitor_id)) is None
    assert await db.write_sync(other_writer_refused)  # the writer goes on, its lock taken anew
