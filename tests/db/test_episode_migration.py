"""Migration 0006 on both backends: each conversation's columns become its first episode and
the events they date; the columns a reopen used to reset leave the conversation; and back."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from parley.clock import as_utc
from parley.conversation import store
from parley.db import Database
from parley.identity import store as identity_store
from tests.support.migrations import downgrade_to, old_conversation, upgrade_to

CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
QUEUED = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
ASSIGNED = datetime(2026, 11, 2, 9, 6, tzinfo=UTC)
RESPONDED = datetime(2026, 11, 2, 9, 8, tzinfo=UTC)
RESOLVED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WHEN = sa.DateTime(timezone=True)
AT_0005 = sa.table(
    "conversations",
    sa.column("id"),
    sa.column("status"),
    sa.column("assignee_id"),
    *(sa.column(n, WHEN) for n in ("created_at", "queued_at", "assigned_at")),
    *(sa.column(n, WHEN) for n in ("first_response_at", "resolved_at")),
    sa.column("self_served", sa.Boolean),
    sa.column("rating", sa.Integer),
    sa.column("rating_comment", sa.Text),
    sa.column("bot_misses", sa.Integer),
)


async def test_each_conversation_becomes_its_first_episode(fresh_db: Database) -> None:
    await upgrade_to(fresh_db, "0005")
    ann = await identity_store.insert_agent(
        fresh_db, email="ann@example.com", name="Ann", password_hash="x", role="agent"
    )
    helped, untouched = await old_conversation(fresh_db), await old_conversation(fresh_db)
    async with fresh_db.transaction() as conn:
        await conn.execute(
            AT_0005.update()
            .where(AT_0005.c.id == helped)
            .values(
                status="resolved", assignee_id=ann.id, created_at=CREATED, queued_at=QUEUED,
                assigned_at=ASSIGNED, first_response_at=RESPONDED, resolved_at=RESOLVED,
                self_served=False, rating=2, rating_comment="slow", bot_misses=1,
            )
        )  # fmt: skip

    await fresh_db.upgrade()

    (episode,) = await store.episodes_of(fresh_db, helped)
    assert (episode.number, episode.opened_at, episode.queued_at) == (1, CREATED, QUEUED)
    assert (episode.first_agent_id, episode.first_assigned_at) == (ann.id, ASSIGNED)
    assert (episode.first_response_at, episode.first_response_seconds) == (RESPONDED, 180.0)
    assert (episode.resolved_at, episode.resolved_by, episode.self_served) == (
        RESOLVED,
        None,  # the old columns never said who resolved
        False,
    )
    assert (episode.rating, episode.rating_comment, episode.bot_misses) == (2, "slow", 1)
    events = await store.events_of(fresh_db, helped)
    assert [(e.type, e.at) for e in events] == [
        ("created", CREATED),
        ("queued", QUEUED),
        ("assigned", ASSIGNED),
        ("first_response", RESPONDED),
        ("resolved", RESOLVED),
        ("rated", RESOLVED),
    ]
    assert all(e.data["backfilled"] for e in events)
    (fresh,) = await store.episodes_of(fresh_db, untouched)
    assert (fresh.first_agent_id, fresh.resolved_at, fresh.rating) == (None, None, None)
    conversation = await store.conversation_by_id(fresh_db, helped)
    assert conversation is not None
    assert conversation.episode == 1

    await downgrade_to(fresh_db, "0005")
    async with fresh_db.read() as conn:
        row = (await conn.execute(sa.select(AT_0005).where(AT_0005.c.id == helped))).one()
    restored = (
        row.rating,
        row.rating_comment,
        as_utc(row.first_response_at),
        as_utc(row.resolved_at),
    )
    assert restored == (
        2,
        "slow",
        RESPONDED,
        RESOLVED,
    )
