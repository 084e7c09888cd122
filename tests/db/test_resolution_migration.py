"""Migration 0014 on both backends: episodes resolved before it get their wall-clock
resolution time (business hours unknown); open episodes stay without one."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from parley.db import Database
from parley.db.schema import conversation_episodes
from tests.support.migrations import old_conversation, upgrade_to

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RESOLVED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


async def test_resolved_episodes_get_their_resolution_time(fresh_db: Database) -> None:
    await upgrade_to(fresh_db, "0013")
    done, still_open = await old_conversation(fresh_db), await old_conversation(fresh_db)
    episodes = sa.table(  # as 0006 left the table
        "conversation_episodes",
        sa.column("conversation_id"),
        sa.column("number"),
        sa.column("opened_at", sa.DateTime(timezone=True)),
        sa.column("opened_by"),
        sa.column("bot_answers"),
        sa.column("bot_misses"),
        sa.column("resolved_at", sa.DateTime(timezone=True)),
    )
    async with fresh_db.transaction() as conn:
        await conn.execute(
            episodes.insert(),
            [
                {"conversation_id": cid, "number": 1, "opened_at": OPENED, "opened_by": "visitor",
                 "bot_answers": 0, "bot_misses": 0, "resolved_at": resolved}
                for cid, resolved in ((done, RESOLVED), (still_open, None))
            ],
        )  # fmt: skip

    await fresh_db.upgrade()

    e = conversation_episodes.c
    async with fresh_db.read() as conn:
        found = await conn.execute(
            sa.select(e.conversation_id, e.resolution_seconds, e.resolution_business_seconds)
        )
        rows = {cid: (wall, inside) for cid, wall, inside in found}
    assert rows == {done: (1800.0, None), still_open: (None, None)}
