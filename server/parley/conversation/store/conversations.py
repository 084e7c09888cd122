"""Conversation rows: create (with its first episode and ``created`` event), read, list.

A conversation row holds the current state the live path needs (status, holder, counters);
what happened over its life is in its episodes and events (``store/history.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.conversation.status import OPEN_STATUSES, Status
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    conversation_episodes,
    conversation_events,
    conversations,
    new_id,
    team_members,
    visitors,
)


@dataclass(frozen=True)
class Conversation:
    id: str
    visitor_id: str
    status: Status
    team_id: str | None
    assignee_id: str | None
    locale: str | None
    last_seq: int
    last_note_seq: int
    visitor_read_seq: int
    agent_read_seq: int
    offline_email: str | None
    episode: int
    created_at: datetime
    updated_at: datetime
    queued_at: datetime | None
    assigned_at: datetime | None


_CONVERSATION = select(conversations).where(conversations.c.id == bindparam("conversation_id"))


async def create_conversation(
    db: Database, *, visitor_id: str, locale: str | None, team_id: str | None
) -> Conversation:
    """A new conversation in ``bot`` status, its first episode and its ``created`` event."""
    now = clock.now()
    conversation_id = new_id("cnv")
    async with db.transaction() as conn:
        await conn.execute(
            insert(conversations).values(
                id=conversation_id,
                visitor_id=visitor_id,
                status="bot",
                team_id=team_id,
                locale=locale,
                last_seq=0,
                last_note_seq=0,
                visitor_read_seq=0,
                agent_read_seq=0,
                episode=1,
                created_at=now,
                updated_at=now,
            )
        )
        await conn.execute(
            insert(conversation_episodes).values(
                conversation_id=conversation_id,
                number=1,
                opened_at=now,
                opened_by="visitor",
                bot_answers=0,
                bot_misses=0,
            )
        )
        await conn.execute(
            insert(conversation_events).values(
                conversation_id=conversation_id,
                episode=1,
                type="created",
                at=now,
                actor_kind="visitor",
                actor_id=visitor_id,
                team_id=team_id,
                data={"locale": locale},
            )
        )
        row = await select_conversation(conn, conversation_id)
    assert row is not None
    return row


async def select_conversation(conn: AsyncConnection, conversation_id: str) -> Conversation | None:
    row = (await conn.execute(_CONVERSATION, {"conversation_id": conversation_id})).first()
    return record(Conversation, row._mapping) if row else None


async def conversation_by_id(db: Database, conversation_id: str) -> Conversation | None:
    async with db.read() as conn:
        return await select_conversation(conn, conversation_id)


async def latest_conversation(db: Database, visitor_id: str) -> Conversation | None:
    """The visitor's most recent conversation, open or not (a new message reopens it)."""
    latest = await conversations_of_visitor(db, visitor_id, limit=1)
    return latest[0] if latest else None


async def conversations_of_visitor(
    db: Database, visitor_id: str, limit: int = 50
) -> list[Conversation]:
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(conversations)
                .where(conversations.c.visitor_id == visitor_id)
                .order_by(conversations.c.created_at.desc(), conversations.c.id.desc())
                .limit(limit)
            )
        ).mappings()
        return [record(Conversation, row) for row in rows]


async def update_conversation(
    db: Database, conversation_id: str, *, only_if_status: tuple[str, ...] = (), **values: Any
) -> Conversation | None:
    """Change live state that is no part of the record (read marks, the offline email).

    Steps of the conversation's life go through ``history.apply`` instead, which writes the
    episode and the event in the same transaction. Returns None when the guard did not hold.
    """
    condition = conversations.c.id == conversation_id
    if only_if_status:
        condition = and_(condition, conversations.c.status.in_(only_if_status))
    async with db.transaction() as conn:
        result = await conn.execute(
            update(conversations).where(condition).values(updated_at=clock.now(), **values)
        )
        if result.rowcount == 0:
            return None
        return await select_conversation(conn, conversation_id)


async def open_conversations(
    db: Database, *, assignee_id: str | None = None, include_all_assigned: bool = False
) -> list[Conversation]:
    """Queued conversations plus those assigned to ``assignee_id`` (or all, for admins)."""
    visible = conversations.c.status == "queued"
    if include_all_assigned:
        visible = conversations.c.status.in_(OPEN_STATUSES)
    elif assignee_id is not None:
        visible = or_(
            visible,
            and_(conversations.c.status == "assigned", conversations.c.assignee_id == assignee_id),
        )
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(conversations).where(visible).order_by(conversations.c.created_at)
            )
        ).mappings()
        return [record(Conversation, row) for row in rows]


async def idle_with_the_bot(db: Database, *, quiet_since: datetime) -> list[str]:
    """Conversations still with the bot whose last change is older than ``quiet_since``."""
    async with db.read() as conn:
        rows = await conn.scalars(
            select(conversations.c.id).where(
                conversations.c.status == "bot", conversations.c.updated_at < quiet_since
            )
        )
        return [str(conversation_id) for conversation_id in rows]


async def reader_facts(db: Database, agent_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """The agent's team ids, and the visitors they are serving now (an open conversation of
    theirs): what ``conversation.access`` needs beyond the agent itself."""
    async with db.read() as conn:
        team_ids = (
            await conn.execute(
                select(team_members.c.team_id).where(team_members.c.agent_id == agent_id)
            )
        ).scalars()
        teams = frozenset(team_ids)
        serving = (
            await conn.execute(
                select(conversations.c.visitor_id).where(
                    conversations.c.assignee_id == agent_id, conversations.c.status == "assigned"
                )
            )
        ).scalars()
        return teams, frozenset(serving)


async def visitor_rows(db: Database, visitor_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Visitor context for summaries, with how many conversations each visitor had."""
    if not visitor_ids:
        return {}
    counts = (
        select(conversations.c.visitor_id, func.count().label("conversation_count"))
        .where(conversations.c.visitor_id.in_(visitor_ids))
        .group_by(conversations.c.visitor_id)
        .subquery()
    )
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(visitors, counts.c.conversation_count)
                .outerjoin(counts, counts.c.visitor_id == visitors.c.id)
                .where(visitors.c.id.in_(visitor_ids))
            )
        ).mappings()
        return {row["id"]: dict(row) for row in rows}
