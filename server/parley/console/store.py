"""The console's own SQL: saved replies (canned answers agents insert with ``/shortcut``) and
the conversation search behind the inbox's search box and *Resolved* tab."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Text,
    and_,
    column,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError

from parley import clock
from parley.conversation.access import Reader, readable
from parley.conversation.labels import clean_label
from parley.conversation.status import OPEN_STATUSES
from parley.conversation.store import Conversation
from parley.db import Database
from parley.db.records import record
from parley.db.schema import (
    conversation_labels,
    conversations,
    messages,
    new_id,
    saved_replies,
    visitors,
)
from parley.errors import BadRequest, Conflict, NotFound

_SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
MAX_TITLE = 200
MAX_BODY = 5000


@dataclass(frozen=True)
class SavedReply:
    id: str
    shortcut: str
    title: str
    body: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "shortcut": self.shortcut,
            "title": self.title,
            "body": self.body,
            "created_by": self.created_by,
            "created_at": clock.iso(self.created_at),
            "updated_at": clock.iso(self.updated_at),
        }


def validate(shortcut: str, title: str, body: str) -> tuple[str, str, str]:
    """Cleaned fields; shortcuts are lowercase words so ``/refund`` is easy to type."""
    shortcut = shortcut.strip().lstrip("/").lower()
    if not _SHORTCUT.match(shortcut):
        raise BadRequest("shortcut must be 1-60 of a-z, 0-9, - and _", code="invalid_shortcut")
    if not title.strip() or len(title) > MAX_TITLE:
        raise BadRequest(f"title must be 1 to {MAX_TITLE} characters", code="invalid_title")
    if not body.strip() or len(body) > MAX_BODY:
        raise BadRequest(f"body must be 1 to {MAX_BODY} characters", code="invalid_body")
    return shortcut, title.strip(), body


async def list_replies(db: Database) -> list[SavedReply]:
    async with db.read() as conn:
        rows = await conn.execute(select(saved_replies).order_by(saved_replies.c.shortcut))
        return [record(SavedReply, row) for row in rows.mappings()]


async def reply_by_id(db: Database, reply_id: str) -> SavedReply:
    async with db.read() as conn:
        row = (
            await conn.execute(select(saved_replies).where(saved_replies.c.id == reply_id))
        ).first()
    if row is None:
        raise NotFound("no such saved reply")
    return record(SavedReply, row._mapping)


async def create_reply(
    db: Database, *, shortcut: str, title: str, body: str, created_by: str
) -> SavedReply:
    shortcut, title, body = validate(shortcut, title, body)
    now = clock.now()
    reply = SavedReply(new_id("rep"), shortcut, title, body, created_by, now, now)
    try:
        async with db.transaction() as conn:
            await conn.execute(insert(saved_replies).values(**asdict(reply)))
    except IntegrityError:
        raise Conflict(f"the shortcut /{shortcut} is taken") from None
    return reply


async def update_reply(
    db: Database, reply_id: str, *, shortcut: str, title: str, body: str
) -> SavedReply:
    shortcut, title, body = validate(shortcut, title, body)
    try:
        async with db.transaction() as conn:
            changed = await conn.execute(
                update(saved_replies)
                .where(saved_replies.c.id == reply_id)
                .values(shortcut=shortcut, title=title, body=body, updated_at=clock.now())
                .returning(*saved_replies.c)
            )
            row = changed.mappings().first()
    except IntegrityError:
        raise Conflict(f"the shortcut /{shortcut} is taken") from None
    if row is None:
        raise NotFound("no such saved reply")
    return record(SavedReply, row)


async def delete_reply(db: Database, reply_id: str) -> None:
    async with db.transaction() as conn:
        deleted = await conn.execute(delete(saved_replies).where(saved_replies.c.id == reply_id))
    if deleted.rowcount == 0:
        raise NotFound("no such saved reply")


# --- conversation search ------------------------------------------------------------------

STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "open": OPEN_STATUSES,
    "resolved": ("resolved",),
    **{status: (status,) for status in OPEN_STATUSES},
}
MAX_QUERY = 200


@dataclass(frozen=True)
class Search:
    """What an agent asked for; every field narrows the result (all empty: everything visible)."""

    text: str = ""
    label: str | None = None
    status: str | None = None
    visitor_id: str | None = None
    email: str | None = None
    limit: int = 20
    offset: int = 0


# FTS5's trigram index finds substrings of this many characters or more; shorter ones scan.
_TRIGRAM = 3
# SQLite only (migration 0005): an FTS5 trigram index of messages.text, keyed by its rowid.
_message_index = table("messages_search", column("rowid", Integer), column("messages_search", Text))


def _containing(text: str, *, message_index: bool) -> CompoundSelect[tuple[str]]:
    """IDs of conversations whose visitor's name or email, offline email or any message (notes
    included) contains ``text``: one select per table, so each can use its own index."""
    # autoescape: a typed % or _ is a character to find, not a wildcard.
    by_visitor = (
        select(conversations.c.id)
        .join(visitors, visitors.c.id == conversations.c.visitor_id)
        .where(
            or_(
                visitors.c.name.icontains(text, autoescape=True),
                visitors.c.email.icontains(text, autoescape=True),
            )
        )
    )
    by_offline_email = select(conversations.c.id).where(
        conversations.c.offline_email.icontains(text, autoescape=True)
    )
    said = select(messages.c.conversation_id).where(
        messages.c.text.icontains(text, autoescape=True)
    )
    if message_index and len(text) >= _TRIGRAM:
        # A quoted phrase is a substring for the trigram tokenizer. It only narrows: LIKE still
        # decides, since FTS5 folds case beyond ASCII and SQLite's lower() does not.
        phrase = '"' + text.replace('"', '""') + '"'
        index = _message_index.c
        indexed = select(index.rowid).where(index.messages_search.match(phrase))
        said = said.where(literal_column("messages.rowid").in_(indexed))
    # correlate(None): each reads conversations of its own, not the outer query's row.
    return union(by_visitor.correlate(None), by_offline_email.correlate(None), said)


def _matching(search: Search, *, message_index: bool) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    text = search.text.strip()
    if len(text) > MAX_QUERY:
        raise BadRequest(f"search text is at most {MAX_QUERY} characters", code="invalid_search")
    if text:
        conditions.append(conversations.c.id.in_(_containing(text, message_index=message_index)))
    if search.label:
        conditions.append(
            exists().where(
                conversation_labels.c.conversation_id == conversations.c.id,
                conversation_labels.c.label == clean_label(search.label),
            )
        )
    if search.status:
        if search.status not in STATUS_FILTERS:
            raise BadRequest(f"status is one of {', '.join(STATUS_FILTERS)}", code="invalid_search")
        conditions.append(conversations.c.status.in_(STATUS_FILTERS[search.status]))
    if search.visitor_id:
        conditions.append(conversations.c.visitor_id == search.visitor_id)
    if search.email:
        # The same address on any visitor (or left while nobody was online): the same person,
        # as far as anyone can tell without verification.
        email = search.email.strip().lower()
        conditions.append(
            or_(
                func.lower(visitors.c.email) == email,
                func.lower(conversations.c.offline_email) == email,
            )
        )
    return conditions


def search_query(search: Search, reader: Reader, *, message_index: bool) -> Select[Any]:
    """One page of ``search`` (plus one row, to tell whether there are more). ``message_index``:
    use SQLite's index of message text (PostgreSQL's indexes need nothing from the query)."""
    return (
        select(conversations)
        .join(visitors, visitors.c.id == conversations.c.visitor_id)
        .where(and_(readable(reader), *_matching(search, message_index=message_index)))
        .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
        .limit(search.limit + 1)
        .offset(search.offset)
    )


async def search_conversations(
    db: Database, search: Search, reader: Reader
) -> tuple[list[Conversation], bool]:
    """Conversations the agent may read that match, most recently active first; and whether
    there are more after this page."""
    query = search_query(search, reader, message_index=db.is_sqlite)
    async with db.read() as conn:
        rows = [record(Conversation, row) for row in (await conn.execute(query)).mappings()]
    return rows[: search.limit], len(rows) > search.limit
