"""The console's own SQL: the conversation search behind the inbox's search box and *Resolved*
tab (saved replies are ``replies/``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Text,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    union,
)

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
    visitors,
)
from parley.errors import BadRequest

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
