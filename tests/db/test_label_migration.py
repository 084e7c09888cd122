"""Migration 0004 on both backends: labels already on conversations become the team's list."""

from __future__ import annotations

from sqlalchemy import select

from parley import clock
from parley.conversation.store import labels as label_store
from parley.db import Database
from parley.db.schema import conversation_labels, labels
from tests.support.migrations import old_conversation, upgrade_to


async def test_existing_labels_join_the_list_in_the_default_colour(fresh_db: Database) -> None:
    await upgrade_to(fresh_db, "0003")
    first, second = await old_conversation(fresh_db), await old_conversation(fresh_db)
    async with fresh_db.transaction() as conn:  # as 0003's code stored them: no list yet
        for conversation_id, label in ((first, "vip"), (second, "vip"), (first, "b 2")):
            await conn.execute(
                conversation_labels.insert().values(
                    conversation_id=conversation_id,
                    label=label,
                    created_at=clock.now(),
                )
            )
    await fresh_db.upgrade()
    async with fresh_db.read() as conn:
        rows = (await conn.execute(select(labels).order_by(labels.c.name))).mappings().all()
    assert [(r["name"], r["colour"], r["description"], r["created_by"]) for r in rows] == [
        ("b 2", "grey", None, None),
        ("vip", "grey", None, None),
    ]
    assert all(r["id"].startswith("lbl_") for r in rows)
    listed = await label_store.add_label(fresh_db, second, "b 2")
    assert not listed  # the back-filled entry is the one agents use
