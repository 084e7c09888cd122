"""The only SQL for the outbox: enqueue inside the caller's transaction, claim, record the end.

A row goes ``pending`` → ``sending`` (claimed by one process for a lease) → ``sent``; or back to
``pending`` later after a failure (backoff), ``failed`` when the attempts are spent, ``held``
while no mail server is configured (composed and readable in the console), ``cancelled`` when
there turned out to be nothing to say (the visitor read the reply meanwhile). A process that
dies while sending loses its lease, and the row is claimed again: nothing is lost; the stable
Message-ID lets a receiving server drop the rare copy sent twice that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    agents,
    conversation_episodes,
    conversations,
    mail_outbox,
    new_id,
    team_members,
)

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Composed:
    recipient: str
    subject: str
    text_body: str
    html_body: str
    reply_to: str | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingMail:
    """A mail to write into the outbox with a change: what kind, about what, and when."""

    kind: str
    conversation_id: str | None = None
    agent_id: str | None = None
    due_at: datetime | None = None  # None: now
    dedupe_key: str | None = None  # a second mail with the same key is not written
    data: dict[str, Any] = field(default_factory=dict)
    composed: Composed | None = None  # words known now (a test mail), not decided when due


@dataclass(frozen=True)
class OutboxRow:
    id: str
    kind: str
    conversation_id: str | None
    agent_id: str | None
    dedupe_key: str | None
    status: str
    due_at: datetime
    attempts: int
    claimed_by: str | None
    claimed_until: datetime | None
    recipient: str | None
    subject: str | None
    text_body: str | None
    html_body: str | None
    reply_to: str | None
    message_id: str | None
    last_error: str | None
    data: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None

    @property
    def composed(self) -> bool:
        return self.subject is not None


def _rows(mails: Iterable[OutgoingMail], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            **_words(mail.composed),
            "id": new_id("mail"),
            "kind": mail.kind,
            "conversation_id": mail.conversation_id,
            "agent_id": mail.agent_id,
            "dedupe_key": mail.dedupe_key,
            "status": "pending",
            "due_at": mail.due_at or now,
            "attempts": 0,
            "data": {**mail.data, **(mail.composed.data if mail.composed else {})},
            "created_at": now,
        }
        for mail in mails
    ]


def _words(composed: Composed | None) -> dict[str, Any]:
    if composed is None:
        return {name: None for name in _WORDS}
    return {name: getattr(composed, name) for name in _WORDS}


_WORDS = ("recipient", "subject", "text_body", "html_body", "reply_to")


def _insert_skipping_duplicates(dialect: str) -> Any:
    """INSERT that leaves a row whose ``dedupe_key`` is taken alone (one mail per cause)."""
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    return make(mail_outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])


async def enqueue_in(conn: AsyncConnection, mails: Sequence[OutgoingMail]) -> None:
    """Write ``mails`` in the caller's transaction (``history.apply_in``)."""
    if mails:
        statement = _insert_skipping_duplicates(conn.dialect.name)
        await conn.execute(statement, _rows(mails, clock.now()))


def enqueue_sync(conn: Connection, mails: Sequence[OutgoingMail]) -> None:
    """``enqueue_in`` for the message append's writer thread (an agent's reply)."""
    if mails:
        conn.execute(_insert_skipping_duplicates(conn.dialect.name), _rows(mails, clock.now()))


async def enqueue(db: Database, mails: Sequence[OutgoingMail]) -> None:
    async with db.transaction() as conn:
        await enqueue_in(conn, mails)


def _claimable(now: datetime, statuses: tuple[str, ...]) -> Any:
    return or_(
        and_(mail_outbox.c.status.in_(statuses), mail_outbox.c.due_at <= now),
        and_(mail_outbox.c.status == "sending", mail_outbox.c.claimed_until < now),
    )


async def claim(
    db: Database, worker: str, *, limit: int, lease: timedelta, include_held: bool
) -> list[OutboxRow]:
    """Up to ``limit`` due rows, now this worker's for ``lease``; no other process gets them.

    PostgreSQL skips rows another claimer has locked (``FOR UPDATE SKIP LOCKED``); SQLite has
    one writer at a time, so the guarded UPDATE in the same transaction decides alone.
    """
    now = clock.now()
    statuses = ("pending", "held") if include_held else ("pending",)
    async with db.transaction() as conn:
        ids = (
            (
                await conn.execute(
                    select(mail_outbox.c.id)
                    .where(_claimable(now, statuses))
                    .order_by(mail_outbox.c.due_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        rows = await conn.execute(
            update(mail_outbox)
            .where(mail_outbox.c.id.in_(ids), _claimable(now, statuses))
            .values(
                status="sending",
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=mail_outbox.c.attempts + 1,
                # A claimed digest frees its key: a reply from now on schedules the next one.
                dedupe_key=case(
                    (mail_outbox.c.kind == "reply_digest", None), else_=mail_outbox.c.dedupe_key
                ),
            )
            .returning(*mail_outbox.c)
        )
        return [record(OutboxRow, row._mapping) for row in rows]


def _mine(row_id: str, worker: str) -> Any:
    return and_(
        mail_outbox.c.id == row_id,
        mail_outbox.c.status == "sending",
        mail_outbox.c.claimed_by == worker,
    )


async def save_composed(
    db: Database, row: OutboxRow, worker: str, composed: Composed, message_id: str
) -> OutboxRow | None:
    """Keep what will be sent: the console shows it, and a retry sends the same words."""
    values: dict[str, Any] = {
        "recipient": composed.recipient,
        "subject": composed.subject,
        "text_body": composed.text_body,
        "html_body": composed.html_body,
        "reply_to": composed.reply_to,
        "message_id": message_id,
        "data": {**row.data, **composed.data},
    }
    async with db.transaction() as conn:
        found = (
            await conn.execute(
                update(mail_outbox)
                .where(_mine(row.id, worker))
                .values(values)
                .returning(*mail_outbox.c)
            )
        ).first()
    return record(OutboxRow, found._mapping) if found else None


async def finish(
    db: Database,
    row_id: str,
    worker: str,
    *,
    status: str,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> bool:
    """End this worker's claim: held, cancelled, failed, or pending again at ``retry_at``.

    False when the lease ran out and another process holds the row now.
    """
    values: dict[str, Any] = {
        "status": status,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": error,
    }
    if retry_at is not None:
        values["due_at"] = retry_at
    async with db.transaction() as conn:
        result = await conn.execute(update(mail_outbox).where(_mine(row_id, worker)).values(values))
        return bool(result.rowcount)


async def finish_sent(db: Database, row_ids: Sequence[str], worker: str) -> None:
    """A batch recorded sent in one transaction (one commit for the lot, not one per mail)."""
    if not row_ids:
        return
    async with db.transaction() as conn:
        await conn.execute(
            update(mail_outbox)
            .where(
                mail_outbox.c.id.in_(row_ids),
                mail_outbox.c.status == "sending",
                mail_outbox.c.claimed_by == worker,
            )
            .values(status="sent", sent_at=clock.now(), claimed_by=None, claimed_until=None)
        )


async def mailed_through(db: Database, conversation_id: str, kind: str) -> int:
    """The highest message ``seq`` an earlier mail of ``kind`` covered (0: none)."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(mail_outbox.c.data).where(
                mail_outbox.c.conversation_id == conversation_id,
                mail_outbox.c.kind == kind,
                mail_outbox.c.status.in_(("sent", "held", "sending")),
            )
        )
        return max((int(data.get("through_seq", 0)) for (data,) in rows), default=0)


async def recent(db: Database, *, limit: int = 100, status: str | None = None) -> list[OutboxRow]:
    """The newest mails first, for Admin → Mail."""
    query = select(mail_outbox).order_by(mail_outbox.c.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(mail_outbox.c.status == status)
    async with db.read() as conn:
        return [record(OutboxRow, row) for row in (await conn.execute(query)).mappings()]


async def mail_by_id(db: Database, mail_id: str) -> OutboxRow | None:
    async with db.read() as conn:
        row = (await conn.execute(select(mail_outbox).where(mail_outbox.c.id == mail_id))).first()
        return record(OutboxRow, row._mapping) if row else None


async def counts(db: Database) -> dict[str, int]:
    async with db.read() as conn:
        rows = await conn.execute(
            select(mail_outbox.c.status, func.count()).group_by(mail_outbox.c.status)
        )
        return {status: int(count) for status, count in rows}


# --- agents' side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MailableAgent:
    id: str
    email: str
    name: str


async def mailable_agent(db: Database, agent_id: str) -> MailableAgent | None:
    """The agent if enabled and not opted out of mail."""
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(agents.c.id, agents.c.email, agents.c.name).where(
                    agents.c.id == agent_id,
                    agents.c.disabled.is_(False),
                    agents.c.mail_enabled.is_(True),
                )
            )
        ).first()
        return record(MailableAgent, row._mapping) if row else None


async def agent_mail_enabled(db: Database, agent_id: str) -> bool:
    async with db.read() as conn:
        value = await conn.scalar(select(agents.c.mail_enabled).where(agents.c.id == agent_id))
        return bool(value)


async def set_agent_mail(db: Database, agent_id: str, enabled: bool) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            update(agents).where(agents.c.id == agent_id).values(mail_enabled=enabled)
        )


async def waiting_since(db: Database, before: datetime) -> list[tuple[str, int]]:
    """(conversation, episode) of every conversation queued in its episode before ``before``.

    The wait is the episode's (``conversation_episodes.queued_at``), not the row's current
    column; the status says it still waits.
    """
    async with db.read() as conn:
        rows = await conn.execute(
            select(conversations.c.id, conversations.c.episode)
            .join(
                conversation_episodes,
                and_(
                    conversation_episodes.c.conversation_id == conversations.c.id,
                    conversation_episodes.c.number == conversations.c.episode,
                ),
            )
            .where(conversations.c.status == "queued", conversation_episodes.c.queued_at < before)
        )
        return [(row.id, row.episode) for row in rows]


async def mailable_agent_ids(db: Database) -> list[str]:
    async with db.read() as conn:
        rows = await conn.execute(
            select(agents.c.id).where(agents.c.disabled.is_(False), agents.c.mail_enabled.is_(True))
        )
        return list(rows.scalars())


async def mailable_team_agent_ids(db: Database, team_id: str | None) -> list[str]:
    """The team's enabled agents who take mail (no team: every such agent)."""
    if team_id is None:
        return await mailable_agent_ids(db)
    async with db.read() as conn:
        rows = await conn.execute(
            select(agents.c.id)
            .join(team_members, team_members.c.agent_id == agents.c.id)
            .where(
                team_members.c.team_id == team_id,
                agents.c.disabled.is_(False),
                agents.c.mail_enabled.is_(True),
            )
        )
        return list(rows.scalars())
