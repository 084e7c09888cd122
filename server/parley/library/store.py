"""The only SQL for ``library_items``: the team's GIFs and images, their titles, tags and uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from parley import clock
from parley.db import Database
from parley.db.schema import attachments, library_items, new_id

# An item plus what its picture needs on screen (its attachment's row, flattened).
_COLUMNS = (
    *library_items.c,
    attachments.c.content_type,
    attachments.c.width,
    attachments.c.height,
    attachments.c.frames,
    attachments.c.bytes,
)
_JOINED = library_items.join(attachments, attachments.c.id == library_items.c.attachment_id)


async def insert_item(
    db: Database, *, attachment_id: str, title: str, tags: list[str], created_by: str
) -> str:
    item_id = new_id("lib")
    async with db.transaction() as conn:
        await conn.execute(
            insert(library_items).values(
                id=item_id,
                attachment_id=attachment_id,
                title=title,
                tags=tags,
                uses=0,
                created_by=created_by,
                created_at=clock.now(),
            )
        )
    return item_id


async def item_by_id(db: Database, item_id: str) -> dict[str, Any] | None:
    async with db.read() as conn:
        row = (
            (
                await conn.execute(
                    select(*_COLUMNS).select_from(_JOINED).where(library_items.c.id == item_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


async def all_items(db: Database) -> list[dict[str, Any]]:
    """Every item, most used first (a team's library is tens or hundreds of pictures)."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(*_COLUMNS)
            .select_from(_JOINED)
            .order_by(library_items.c.uses.desc(), library_items.c.title, library_items.c.id)
        )
        return [dict(row) for row in rows.mappings()]


async def count_use(db: Database, item_id: str) -> int | None:
    """``uses + 1`` in the database itself, so two agents sending at once both count; the new
    count, or None if the item is gone."""
    async with db.transaction() as conn:
        uses = await conn.scalar(
            update(library_items)
            .where(library_items.c.id == item_id)
            .values(uses=library_items.c.uses + 1)
            .returning(library_items.c.uses)
        )
    return int(uses) if uses is not None else None


async def delete_item(db: Database, item_id: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(delete(library_items).where(library_items.c.id == item_id))
