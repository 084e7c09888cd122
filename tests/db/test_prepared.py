"""Prepared statements give what ``Connection.execute`` gives, on both backends, errors included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from parley.db import Database
from parley.db.prepared import Prepared
from parley.db.schema import conversations, messages, new_id
from tests.db.test_engine import _conversation

_SELECT_MESSAGE = select(messages).where(messages.c.id == bindparam("id"))
_PREPARED_SELECT = Prepared(_SELECT_MESSAGE)
_PREPARED_INSERT = Prepared(
    insert(messages).values({column.name: bindparam(column.name) for column in messages.c})
)
_PREPARED_NUMBERING = Prepared(
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(last_seq=conversations.c.last_seq + 1)
    .returning(conversations.c.id, conversations.c.last_seq)
)


def _row(conversation_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": new_id("msg"),
        "conversation_id": conversation_id,
        "seq": 1,
        "follows_seq": None,
        "client_id": "c-1",
        "author_kind": "visitor",
        "author_id": None,
        "author_name": "Vera",
        "text": "Žlica: 'quoted' \"text\"",
        "internal": False,
        "attachment_ids": ["att_1"],
        "suggestions": None,
        "created_at": datetime(2026, 12, 6, 21, 58, 12, 345678, tzinfo=UTC),
        "via": None,
        **changes,
    }


async def test_a_prepared_insert_stores_what_sqlalchemy_reads_back(db: Database) -> None:
    """Dates, JSON (a list and a JSON null), booleans and text come back as SQLAlchemy reads
    them, so the fast path and every other reader agree on what was stored."""
    conversation_id = await _conversation(db)
    row = _row(conversation_id)
    await db.write_sync(lambda conn: _PREPARED_INSERT.run(conn, row))
    async with db.read() as conn:
        read = dict((await conn.execute(_SELECT_MESSAGE, {"id": row["id"]})).mappings().one())
        suggestions_is_sql_null = (
            await conn.execute(
                select(messages.c.suggestions.is_(None)).where(messages.c.id == row["id"])
            )
        ).scalar()
    prepared = await db.write_sync(lambda conn: _PREPARED_SELECT.first(conn, {"id": row["id"]}))
    assert prepared == read
    assert read["attachment_ids"] == ["att_1"]
    assert read["internal"] is False
    assert read["text"] == row["text"]
    assert read["created_at"].replace(tzinfo=UTC) == row["created_at"]
    # JSON null, not SQL NULL: the same as an insert through SQLAlchemy stores
    assert suggestions_is_sql_null is False


async def test_a_statements_own_constants_and_returning_rows(db: Database) -> None:
    conversation_id = await _conversation(db)

    def number_twice(conn: Connection) -> list[dict[str, Any] | None]:
        key = {"conversation_id": conversation_id}
        return [_PREPARED_NUMBERING.first(conn, key), _PREPARED_NUMBERING.first(conn, key)]

    assert await db.write_sync(number_twice) == [
        {"id": conversation_id, "last_seq": 1},
        {"id": conversation_id, "last_seq": 2},
    ]
    missing = await db.write_sync(
        lambda conn: _PREPARED_NUMBERING.first(conn, {"conversation_id": "cnv_none"})
    )
    assert missing is None


async def test_a_constraint_violation_is_sqlalchemys_error_and_stores_nothing(
    db: Database,
) -> None:
    """Callers catch SQLAlchemy's ``IntegrityError`` (two tabs sending one client_id)."""
    conversation_id = await _conversation(db)
    await db.write_sync(lambda conn: _PREPARED_INSERT.run(conn, _row(conversation_id)))
    duplicate = _row(conversation_id, seq=2, text="second copy")  # same client_id
    with pytest.raises(IntegrityError):
        await db.write_sync(lambda conn: _PREPARED_INSERT.run(conn, duplicate))
    async with db.read() as conn:
        texts = (
            await conn.execute(
                select(messages.c.text).where(messages.c.conversation_id == conversation_id)
            )
        ).scalars()
        assert list(texts) == ["Žlica: 'quoted' \"text\""]
