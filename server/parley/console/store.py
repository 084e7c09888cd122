"""Saved replies (canned answers agents insert with ``/shortcut``): the only SQL for them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import new_id, saved_replies
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
