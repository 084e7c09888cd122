"""The only SQL for known issues and their links to conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import conversations, known_issue_links, known_issues, messages, new_id
from parley.mail.store import OutgoingMail, enqueue_in


@dataclass(frozen=True)
class KnownIssue:
    id: str
    title: str
    tracker_url: str | None
    status: str
    created_by: str | None
    created_at: datetime
    fixed_at: datetime | None
    fixed_by: str | None
    fix_message: str | None


@dataclass(frozen=True)
class Counts:
    """Of the conversations linked: how many were told of the fix, read it, replied after."""

    conversations: int
    notified: int
    read: int
    replied: int


@dataclass(frozen=True)
class Link:
    conversation_id: str
    linked_at: datetime
    notified_seq: int | None


async def create_issue(
    db: Database, *, title: str, tracker_url: str | None, agent_id: str
) -> KnownIssue:
    issue = KnownIssue(
        id=new_id("iss"),
        title=title,
        tracker_url=tracker_url,
        status="open",
        created_by=agent_id,
        created_at=clock.now(),
        fixed_at=None,
        fixed_by=None,
        fix_message=None,
    )
    async with db.transaction() as conn:
        await conn.execute(insert(known_issues).values(issue.__dict__))
    return issue


async def update_issue(
    db: Database, issue_id: str, *, title: str, tracker_url: str | None
) -> KnownIssue | None:
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                update(known_issues)
                .where(known_issues.c.id == issue_id)
                .values(title=title, tracker_url=tracker_url)
                .returning(*known_issues.c)
            )
        ).first()
        return record(KnownIssue, row._mapping) if row else None


async def issue_by_id(db: Database, issue_id: str) -> KnownIssue | None:
    async with db.read() as conn:
        row = (
            await conn.execute(select(known_issues).where(known_issues.c.id == issue_id))
        ).first()
        return record(KnownIssue, row._mapping) if row else None


async def list_issues(db: Database) -> list[KnownIssue]:
    async with db.read() as conn:
        rows = await conn.execute(select(known_issues).order_by(known_issues.c.created_at.desc()))
        return [record(KnownIssue, row) for row in rows.mappings()]


async def link(db: Database, issue_id: str, conversation_id: str, agent_id: str) -> None:
    """Link once; linking again leaves the first link (and its notification) as it was."""
    async with db.transaction() as conn:
        make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        await conn.execute(
            make(known_issue_links)
            .values(
                issue_id=issue_id,
                conversation_id=conversation_id,
                linked_by=agent_id,
                linked_at=clock.now(),
            )
            .on_conflict_do_nothing()
        )


async def links_of(db: Database, issue_id: str) -> list[Link]:
    async with db.read() as conn:
        rows = await conn.execute(
            select(
                known_issue_links.c.conversation_id,
                known_issue_links.c.linked_at,
                known_issue_links.c.notified_seq,
            )
            .where(known_issue_links.c.issue_id == issue_id)
            .order_by(known_issue_links.c.linked_at)
        )
        return [record(Link, row) for row in rows.mappings()]


async def mark_fixed(db: Database, issue_id: str, agent_id: str, text: str) -> bool:
    """Open → fixed, once: False when it was fixed already (its first message stands)."""
    async with db.transaction() as conn:
        result = await conn.execute(
            update(known_issues)
            .where(known_issues.c.id == issue_id, known_issues.c.status == "open")
            .values(status="fixed", fixed_at=clock.now(), fixed_by=agent_id, fix_message=text)
        )
        return bool(result.rowcount)


async def record_notified(
    db: Database, issue_id: str, conversation_id: str, seq: int, mail: OutgoingMail
) -> bool:
    """The fix message's seq on the link, and the mail for a visitor who left, together; False
    (and no mail) when this link was notified already."""
    async with db.transaction() as conn:
        result = await conn.execute(
            update(known_issue_links)
            .where(
                known_issue_links.c.issue_id == issue_id,
                known_issue_links.c.conversation_id == conversation_id,
                known_issue_links.c.notified_seq.is_(None),
            )
            .values(notified_seq=seq)
        )
        if not result.rowcount:
            return False
        await enqueue_in(conn, [mail])
        return True


async def counts(db: Database, issue_ids: list[str]) -> dict[str, Counts]:
    """Notified / read / replied per issue, from the links and the conversations' messages."""
    if not issue_ids:
        return {}
    links = known_issue_links.c
    replied = exists().where(
        messages.c.conversation_id == links.conversation_id,
        messages.c.author_kind == "visitor",
        messages.c.seq > links.notified_seq,
    )
    notified = links.notified_seq.is_not(None)
    query = (
        select(
            links.issue_id,
            func.count(),
            func.count(links.notified_seq),
            func.count().filter(
                and_(notified, conversations.c.visitor_read_seq >= links.notified_seq)
            ),
            func.count().filter(and_(notified, replied)),
        )
        .join(conversations, conversations.c.id == links.conversation_id)
        .where(links.issue_id.in_(issue_ids))
        .group_by(links.issue_id)
    )
    async with db.read() as conn:
        found = {
            row[0]: Counts(int(row[1]), int(row[2]), int(row[3]), int(row[4]))
            for row in await conn.execute(query)
        }
    return {issue_id: found.get(issue_id, Counts(0, 0, 0, 0)) for issue_id in issue_ids}


async def issues_of_conversation(db: Database, conversation_id: str) -> list[KnownIssue]:
    async with db.read() as conn:
        rows = await conn.execute(
            select(known_issues)
            .join(known_issue_links, known_issue_links.c.issue_id == known_issues.c.id)
            .where(known_issue_links.c.conversation_id == conversation_id)
            .order_by(known_issues.c.created_at)
        )
        return [record(KnownIssue, row) for row in rows.mappings()]
