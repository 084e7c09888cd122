"""The only SQL for saved replies: the reply, whose it is (``saved_reply_scopes``) and the
images it sends (``saved_reply_attachments``), written together in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.schema import (
    attachments,
    library_items,
    new_id,
    saved_replies,
    saved_reply_attachments,
    saved_reply_scopes,
)
from parley.errors import Conflict, NotFound


@dataclass(frozen=True)
class SavedReply:
    id: str
    shortcut: str
    title: str
    body: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    tags: tuple[str, ...] = ()
    owner_id: str | None = None  # an agent's own reply
    team_id: str | None = None  # one team's reply (neither: everyone's)
    attachments: tuple[dict[str, Any], ...] = ()  # the attachment rows it sends, in order


@dataclass(frozen=True)
class Fields:
    """What an agent writes; ``attachment_ids`` are the reply's own attachments, in order."""

    shortcut: str
    title: str
    body: str
    tags: tuple[str, ...]
    owner_id: str | None
    team_id: str | None
    attachment_ids: tuple[str, ...]


_REPLY = (
    select(saved_replies, saved_reply_scopes.c.owner_id, saved_reply_scopes.c.team_id)
    .outerjoin(saved_reply_scopes, saved_reply_scopes.c.saved_reply_id == saved_replies.c.id)
    .order_by(saved_replies.c.shortcut)
)


async def _read(conn: AsyncConnection, reply_ids: Iterable[str] | None) -> list[SavedReply]:
    query = _REPLY if reply_ids is None else _REPLY.where(saved_replies.c.id.in_(list(reply_ids)))
    rows = (await conn.execute(query)).mappings().all()
    attached: dict[str, list[dict[str, Any]]] = {}
    held = (
        select(saved_reply_attachments.c.saved_reply_id, attachments)
        .join(attachments, attachments.c.id == saved_reply_attachments.c.attachment_id)
        .order_by(saved_reply_attachments.c.position)
    )
    if reply_ids is not None:
        held = held.where(saved_reply_attachments.c.saved_reply_id.in_([r["id"] for r in rows]))
    for row in (await conn.execute(held)).mappings():
        attached.setdefault(row["saved_reply_id"], []).append(
            {k: v for k, v in row.items() if k != "saved_reply_id"}
        )
    return [
        SavedReply(
            id=row["id"],
            shortcut=row["shortcut"],
            title=row["title"],
            body=row["body"],
            created_by=row["created_by"],
            created_at=clock.as_utc(row["created_at"]),
            updated_at=clock.as_utc(row["updated_at"]),
            tags=tuple(row["tags"] or ()),
            owner_id=row["owner_id"],
            team_id=row["team_id"],
            attachments=tuple(attached.get(row["id"], ())),
        )
        for row in rows
    ]


async def list_replies(db: Database) -> list[SavedReply]:
    """Every saved reply, by shortcut; who may see which is ``replies.may_see``."""
    async with db.read() as conn:
        return await _read(conn, None)


async def reply_by_id(db: Database, reply_id: str) -> SavedReply:
    async with db.read() as conn:
        found = await _read(conn, [reply_id])
    if not found:
        raise NotFound("no such saved reply")
    return found[0]


async def _write_parts(conn: AsyncConnection, reply_id: str, fields: Fields) -> None:
    await conn.execute(
        delete(saved_reply_scopes).where(saved_reply_scopes.c.saved_reply_id == reply_id)
    )
    if fields.owner_id or fields.team_id:
        await conn.execute(
            insert(saved_reply_scopes).values(
                saved_reply_id=reply_id, owner_id=fields.owner_id, team_id=fields.team_id
            )
        )
    await conn.execute(
        delete(saved_reply_attachments).where(saved_reply_attachments.c.saved_reply_id == reply_id)
    )
    if fields.attachment_ids:
        await conn.execute(
            insert(saved_reply_attachments),
            [
                {"saved_reply_id": reply_id, "position": n, "attachment_id": attachment_id}
                for n, attachment_id in enumerate(fields.attachment_ids)
            ],
        )


async def create_reply(db: Database, fields: Fields, *, created_by: str) -> SavedReply:
    now = clock.now()
    reply_id = new_id("rep")
    try:
        async with db.transaction() as conn:
            await conn.execute(
                insert(saved_replies).values(
                    id=reply_id,
                    shortcut=fields.shortcut,
                    title=fields.title,
                    body=fields.body,
                    tags=list(fields.tags),
                    created_by=created_by,
                    created_at=now,
                    updated_at=now,
                )
            )
            await _write_parts(conn, reply_id, fields)
    except IntegrityError:
        raise await _conflict(db, fields, reply_id) from None
    return await reply_by_id(db, reply_id)


async def _conflict(db: Database, fields: Fields, reply_id: str) -> Conflict:
    """Which unique rule a save broke: the shortcut, or an image another save took meanwhile."""
    async with db.read() as conn:
        holder = (
            await conn.execute(
                select(saved_replies.c.id).where(saved_replies.c.shortcut == fields.shortcut)
            )
        ).scalar()
    if holder is not None and holder != reply_id:
        return Conflict(f"the shortcut /{fields.shortcut} is taken")
    return Conflict("an image was just added to another reply: try again", code="image_taken")


async def update_reply(db: Database, reply_id: str, fields: Fields) -> SavedReply:
    try:
        async with db.transaction() as conn:
            changed = await conn.execute(
                update(saved_replies)
                .where(saved_replies.c.id == reply_id)
                .values(
                    shortcut=fields.shortcut,
                    title=fields.title,
                    body=fields.body,
                    tags=list(fields.tags),
                    updated_at=clock.now(),
                )
            )
            if changed.rowcount == 0:
                raise NotFound("no such saved reply")
            await _write_parts(conn, reply_id, fields)
    except IntegrityError:
        raise await _conflict(db, fields, reply_id) from None
    return await reply_by_id(db, reply_id)


async def delete_reply(db: Database, reply_id: str) -> None:
    async with db.transaction() as conn:
        deleted = await conn.execute(delete(saved_replies).where(saved_replies.c.id == reply_id))
    if deleted.rowcount == 0:
        raise NotFound("no such saved reply")


async def held_elsewhere(
    db: Database, attachment_ids: Iterable[str], reply_id: str | None
) -> set[str]:
    """Which of these attachments a library item or another saved reply already holds (so a
    reply takes a copy of them rather than the original)."""
    wanted = list(attachment_ids)
    if not wanted:
        return set()
    holders = saved_reply_attachments.c
    by_replies = select(holders.attachment_id).where(holders.attachment_id.in_(wanted))
    if reply_id is not None:
        by_replies = by_replies.where(holders.saved_reply_id != reply_id)
    by_library = select(library_items.c.attachment_id).where(
        library_items.c.attachment_id.in_(wanted)
    )
    async with db.read() as conn:
        found = set((await conn.execute(by_replies)).scalars())
        found |= set((await conn.execute(by_library)).scalars())
    return found
