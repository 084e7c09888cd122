"""Messages in the database: append with ``seq``, read since a ``seq``.

``append_message`` is the durability point of the conversation path: it numbers the message
inside the same transaction that stores it, and a repeated ``client_id`` returns the message
already stored instead of a second copy. An agent's reply records its events in that same
transaction (``history.record_agent_reply``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.conversation.store.conversations import Conversation, conversation_by_id
from parley.conversation.store.history import BusinessSeconds, record_agent_reply
from parley.db import Database
from parley.db.prepared import Prepared
from parley.db.records import record
from parley.db.schema import (
    attachments,
    conversations,
    messages,
    new_id,
)


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    seq: int
    follows_seq: int | None
    client_id: str | None
    author_kind: str
    author_id: str | None
    author_name: str | None
    text: str
    internal: bool
    attachment_ids: list[str]
    suggestions: list[dict[str, Any]] | None
    created_at: datetime
    via: str | None = None  # "email": a visitor's reply that came back by mail


# The append path's statements, compiled once and run below SQLAlchemy's per-call cost
# (db/prepared.py): they run for every message.
_BY_CLIENT_ID = select(messages).where(
    messages.c.conversation_id == bindparam("conversation_id"),
    messages.c.client_id == bindparam("client_id"),
)
_PREPARED_BY_CLIENT_ID = Prepared(_BY_CLIENT_ID)
_CONVERSATION = Prepared(
    select(conversations).where(conversations.c.id == bindparam("conversation_id"))
)
_INSERT_MESSAGE = Prepared(
    insert(messages).values({field.name: bindparam(field.name) for field in fields(Message)})
)


async def message_by_client_id(
    db: Database, conversation_id: str, client_id: str
) -> Message | None:
    async with db.read() as conn:
        return await _select_by_client_id(conn, conversation_id, client_id)


async def _select_by_client_id(
    conn: AsyncConnection, conversation_id: str, client_id: str
) -> Message | None:
    parameters = {"conversation_id": conversation_id, "client_id": client_id}
    row = (await conn.execute(_BY_CLIENT_ID, parameters)).first()
    return record(Message, row._mapping) if row else None


@dataclass(frozen=True)
class Appended:
    """What ``append_message`` did: the message, and the conversation as the append left it."""

    message: Message
    created: bool  # False: the client_id was stored before and ``message`` is that copy
    conversation: Conversation


async def append_message(
    db: Database,
    conversation_id: str,
    *,
    client_id: str | None,
    author_kind: str,
    author_id: str | None,
    author_name: str | None,
    text: str,
    internal: bool = False,
    attachment_ids: list[str] | None = None,
    suggestions: list[dict[str, Any]] | None = None,
    business_seconds: BusinessSeconds | None = None,
    reply_use: Mapping[str, Any] | None = None,
    via: str | None = None,
    mail_after: timedelta | None = None,
) -> Appended:
    """Store a message with the next ``seq``; a ``client_id`` seen before returns that message.

    An agent's reply to the visitor records ``agent_reply`` (and the episode's first response,
    its wait counted inside business hours with ``business_seconds``) in the same transaction.
    Appends from many sockets share transactions (``Database.write_batched``).
    """
    draft = Message(
        id=new_id("msg"),
        conversation_id=conversation_id,
        seq=0,  # numbered inside the transaction
        follows_seq=None,
        client_id=client_id,
        author_kind=author_kind,
        author_id=author_id,
        author_name=author_name,
        text=text,
        internal=internal,
        attachment_ids=list(attachment_ids or []),
        suggestions=suggestions,
        created_at=clock.now(),
        via=via,
    )
    try:
        return await db.write_batched(
            lambda conn: _append(conn, draft, business_seconds, reply_use, mail_after),
            key=conversation_id,
        )
    except IntegrityError:
        # Another process stored this client_id between our check and our insert (two tabs
        # resending through different servers): the stored copy is the answer.
        if client_id is None:
            raise
        existing = await message_by_client_id(db, conversation_id, client_id)
        conversation = await conversation_by_id(db, conversation_id)
        if existing is None or conversation is None:
            raise
        return Appended(existing, False, conversation)


def _numbering(counter: Column[int]) -> Prepared:
    """Take the next number from ``counter`` and return the conversation as it now is, unless
    the message's ``client_id`` is stored already: then nothing changes and no row comes back.
    The check rides in the update, so a new message costs one statement less."""
    already_stored = (
        select(messages.c.id)
        .where(
            messages.c.conversation_id == bindparam("conversation_id"),
            messages.c.client_id == bindparam("client_id"),
        )
        .exists()
    )
    return Prepared(
        update(conversations)
        .where(conversations.c.id == bindparam("conversation_id"), ~already_stored)
        .values({counter: counter + 1, "updated_at": bindparam("now")})
        .returning(*conversations.c)
    )


_NUMBER_MESSAGE = _numbering(conversations.c.last_seq)
_NUMBER_NOTE = _numbering(conversations.c.last_note_seq)


def _append(
    conn: Connection,
    draft: Message,
    business_seconds: BusinessSeconds | None,
    reply_use: Mapping[str, Any] | None = None,
    mail_after: timedelta | None = None,
) -> Appended:
    """Number and insert one message; runs on the writer, inside a shared transaction."""
    key = {"conversation_id": draft.conversation_id}
    numbering = _NUMBER_NOTE if draft.internal else _NUMBER_MESSAGE
    numbered = numbering.first(conn, {**key, "client_id": draft.client_id, "now": draft.created_at})
    if numbered is None:  # a client_id stored before, or no such conversation
        existing = None
        if draft.client_id is not None:
            existing = _PREPARED_BY_CLIENT_ID.first(conn, {**key, "client_id": draft.client_id})
        if existing is None:
            raise LookupError(draft.conversation_id)
        row = _CONVERSATION.first(conn, key)
        assert row is not None  # the message's conversation: a foreign key
        return Appended(record(Message, existing), False, record(Conversation, row))
    conversation = record(Conversation, numbered)
    if draft.internal:
        stored = replace(draft, seq=-conversation.last_note_seq, follows_seq=conversation.last_seq)
    else:
        stored = replace(draft, seq=conversation.last_seq)
    _INSERT_MESSAGE.run(conn, stored.__dict__)
    if draft.author_kind == "agent" and not draft.internal:
        record_agent_reply(
            conn,
            conversation,
            agent_id=draft.author_id,
            at=draft.created_at,
            business_seconds=business_seconds,
            reply_use=reply_use,
            mail_after=mail_after,
        )
    return Appended(stored, True, conversation)


async def read_since(
    db: Database, conversation_id: str, after_seq: int, *, include_internal: bool, limit: int = 500
) -> list[Message]:
    """Messages after ``after_seq`` in order: the replay a resuming client needs.

    With ``include_internal``, notes written since that visible seq come too, each right after
    the visible message it follows.
    """
    visible = and_(messages.c.internal.is_(False), messages.c.seq > after_seq)
    condition = visible
    if include_internal:
        notes = and_(messages.c.internal.is_(True), messages.c.follows_seq >= after_seq)
        condition = or_(visible, notes)
    position = func.coalesce(messages.c.follows_seq, messages.c.seq)
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(messages)
                .where(messages.c.conversation_id == conversation_id, condition)
                .order_by(position, messages.c.seq.desc())
                .limit(limit)
            )
        ).mappings()
        return [record(Message, row) for row in rows]


async def last_messages(db: Database, conversation_ids: list[str]) -> dict[str, Message]:
    """The newest message of each conversation, for inbox previews."""
    if not conversation_ids:
        return {}
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(messages)
                .join(
                    conversations,
                    and_(
                        conversations.c.id == messages.c.conversation_id,
                        conversations.c.last_seq == messages.c.seq,
                    ),
                )
                .where(messages.c.conversation_id.in_(conversation_ids))
            )
        ).mappings()
        return {row["conversation_id"]: record(Message, row) for row in rows}


async def last_visitor_messages(db: Database, conversation_ids: list[str]) -> dict[str, Message]:
    """Each conversation's newest message from its visitor: their own words, for triage."""
    if not conversation_ids:
        return {}
    newest = (
        select(messages.c.conversation_id, func.max(messages.c.seq).label("seq"))
        .where(
            messages.c.conversation_id.in_(conversation_ids),
            messages.c.author_kind == "visitor",
            messages.c.seq > 0,
        )
        .group_by(messages.c.conversation_id)
        .subquery()
    )
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(messages).join(
                    newest,
                    and_(
                        newest.c.conversation_id == messages.c.conversation_id,
                        newest.c.seq == messages.c.seq,
                    ),
                )
            )
        ).mappings()
        return {row["conversation_id"]: record(Message, row) for row in rows}


async def attachments_of(
    db: Database, conversation_id: str, attachment_ids: list[str]
) -> list[dict[str, Any]]:
    """Attachment rows of this conversation, in the order asked; others are simply absent."""
    if not attachment_ids:
        return []
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(attachments).where(
                    attachments.c.id.in_(attachment_ids),
                    attachments.c.conversation_id == conversation_id,
                )
            )
        ).mappings()
        by_id = {row["id"]: dict(row) for row in rows}
    return [by_id[attachment_id] for attachment_id in attachment_ids if attachment_id in by_id]
