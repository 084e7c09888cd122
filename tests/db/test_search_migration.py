"""Migration 0005 on both backends: the conversation search's indexes, built over what is
already stored and kept in step with every message written, edited or deleted after."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import delete, text, update

from parley.console import store as console_store
from parley.conversation.access import Reader
from parley.db import Database
from parley.db.schema import conversations, messages
from tests.support.migrations import downgrade_to, old_conversation, old_message, upgrade_to
from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database

TRIGRAM_INDEXES = {
    "ix_messages_text_trgm",
    "ix_visitors_name_trgm",
    "ix_visitors_email_trgm",
    "ix_conversations_offline_email_trgm",
}

# rank 1: compare the index with the text in ``messages`` too, not only with itself.
INTEGRITY_CHECK = "INSERT INTO messages_search(messages_search, rank) VALUES ('integrity-check', 1)"


async def _found(db: Database, query: str) -> set[str]:
    everyone = Reader("agt_x", is_admin=True)
    page, _ = await console_store.search_conversations(
        db, console_store.Search(text=query), everyone
    )
    return {conversation.id for conversation in page}


async def _search_indexes(db: Database) -> set[str]:
    """What 0005 made: the FTS table and its triggers, or the trigram indexes."""
    if db.is_sqlite:
        sql = "SELECT name FROM sqlite_master WHERE name LIKE 'messages_search%'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'"
    async with db.read() as conn:
        return set((await conn.execute(text(sql))).scalars())


async def _index_agrees_with_messages(db: Database) -> None:
    """SQLite's FTS5 check of its index against ``messages``: raises if they differ."""
    if db.is_sqlite:
        async with db.transaction() as conn:
            await conn.execute(text(INTEGRITY_CHECK))


async def test_messages_before_and_after_the_upgrade_are_found(fresh_db: Database) -> None:
    await upgrade_to(fresh_db, "0004")
    old = await old_conversation(fresh_db, name="Ana")
    await old_message(fresh_db, old, "My parcel to Quetzaltenango is late")
    await fresh_db.upgrade()
    assert await _search_indexes(fresh_db) >= (
        {"messages_search"} if fresh_db.is_sqlite else TRIGRAM_INDEXES
    )
    await _index_agrees_with_messages(fresh_db)
    assert await _found(fresh_db, "QUETZAL") == {old}

    new = await old_conversation(fresh_db, name="Bo")
    await old_message(fresh_db, new, "Where is my voucher?")
    assert await _found(fresh_db, "vouch") == {new}
    async with fresh_db.transaction() as conn:  # an edit: the old words go, the new ones count
        await conn.execute(
            update(messages)
            .where(messages.c.conversation_id == new)
            .values(text="Where is my gift card?")
        )
    assert await _found(fresh_db, "vouch") == set()
    assert await _found(fresh_db, "gift card") == {new}
    async with fresh_db.transaction() as conn:
        await conn.execute(delete(messages).where(messages.c.conversation_id == new))
        await conn.execute(delete(conversations).where(conversations.c.id == old))
    assert await _found(fresh_db, "gift card") == set()
    assert await _found(fresh_db, "quetzal") == set()
    await _index_agrees_with_messages(fresh_db)


async def test_downgrade_removes_what_the_upgrade_made(fresh_db: Database) -> None:
    await upgrade_to(fresh_db, "0005")
    conversation = await old_conversation(fresh_db)
    await old_message(fresh_db, conversation, "refund please")
    await downgrade_to(fresh_db, "0004")
    assert await _search_indexes(fresh_db) == set()
    await old_message(fresh_db, conversation, "and a voucher")  # no trigger left to fail
    await fresh_db.upgrade()  # and back: the index is built again from every message
    await _index_agrees_with_messages(fresh_db)
    assert await _found(fresh_db, "refund") == await _found(fresh_db, "voucher") == {conversation}


@pytest.fixture
async def unprivileged_postgres() -> AsyncIterator[Database]:
    """A database whose owner-less role may create tables but not extensions."""
    role = f"parley_plain_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
            owner = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
            await owner.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
            await owner.close()
            db = Database(url.replace("//postgres@", f"//{role}@"))
            yield db
            await db.close()
    finally:
        await admin.execute(f'DROP ROLE "{role}"')
        await admin.close()


async def test_without_pg_trgm_the_upgrade_warns_and_search_scans(
    unprivileged_postgres: Database, caplog: pytest.LogCaptureFixture
) -> None:
    db = unprivileged_postgres
    with caplog.at_level(logging.WARNING, logger="parley.db"):
        await db.upgrade()
    assert "pg_trgm" in caplog.text
    assert await _search_indexes(db) == set()
    conversation = await old_conversation(db)
    await old_message(db, conversation, "refund please")
    assert await _found(db, "FUND") == {conversation}
