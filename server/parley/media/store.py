"""The only SQL for the ``attachments`` table's writes and single-row reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, literal, select

from parley import clock
from parley.db import Database
from parley.db.schema import attachments, conversations, messages, new_id

# What a copy shares with its original: the stored files and what was learnt checking them.
CONTENT_COLUMNS = (
    "storage_key",
    "thumb_key",
    "content_type",
    "width",
    "height",
    "frames",
    "bytes",
)


async def insert_attachment(db: Database, **values: Any) -> dict[str, Any]:
    """Store one attachment row (``id`` is made here) and return it as stored."""
    attachment_id = new_id("att")
    async with db.transaction() as conn:
        await conn.execute(
            insert(attachments).values(id=attachment_id, created_at=clock.now(), **values)
        )
    found = await attachment_by_id(db, attachment_id)
    assert found is not None
    return found


async def copy_attachment(db: Database, source_id: str, **values: Any) -> dict[str, Any] | None:
    """A new row sharing ``source_id``'s stored files (plus ``values``), made in one statement
    only if the source still exists; None if it does not. On PostgreSQL the source row is
    locked (``FOR SHARE``) until the copy commits, so a delete running at the same time waits
    and then finds the copy still using the files, which keeps them."""
    attachment_id = new_id("att")
    given = {"id": attachment_id, "created_at": clock.now(), **values}
    source = (
        select(
            *(literal(value, attachments.c[name].type) for name, value in given.items()),
            *(attachments.c[name] for name in CONTENT_COLUMNS),
        )
        .where(attachments.c.id == source_id)
        .with_for_update(read=True)
    )
    async with db.transaction() as conn:
        made = await conn.execute(
            insert(attachments).from_select([*given, *CONTENT_COLUMNS], source)
        )
    if not made.rowcount:
        return None
    return await attachment_by_id(db, attachment_id)


async def attachment_by_id(db: Database, attachment_id: str) -> dict[str, Any] | None:
    """The row plus ``visitor_id``, the visitor of its conversation (who may read it)."""
    async with db.read() as conn:
        row = (
            (
                await conn.execute(
                    select(attachments, conversations.c.visitor_id)
                    .outerjoin(conversations, conversations.c.id == attachments.c.conversation_id)
                    .where(attachments.c.id == attachment_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


async def delete_attachment(db: Database, attachment_id: str) -> dict[str, Any] | None:
    """Remove one row; the row as it was (for its storage keys), or None if there was none."""
    async with db.transaction() as conn:
        row = (
            (
                await conn.execute(
                    delete(attachments)
                    .where(attachments.c.id == attachment_id)
                    .returning(*attachments.c)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


async def key_in_use(db: Database, key: str) -> bool:
    """Whether any attachment (a copy, say) still points at this stored file."""
    async with db.read() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(attachments)
            .where((attachments.c.storage_key == key) | (attachments.c.thumb_key == key))
        )
    return bool(count)


async def unattached_visitor_bytes(db: Database, visitor_id: str) -> int:
    """Bytes of the visitor's uploads that none of their messages carries yet."""
    async with db.read() as conn:
        uploads = (
            await conn.execute(
                select(attachments.c.id, attachments.c.bytes, attachments.c.conversation_id).where(
                    attachments.c.uploader_kind == "visitor",
                    attachments.c.uploader_id == visitor_id,
                )
            )
        ).all()
        if not uploads:
            return 0
        carried_lists = (
            await conn.execute(
                select(messages.c.attachment_ids).where(
                    messages.c.conversation_id.in_({row.conversation_id for row in uploads}),
                    messages.c.author_kind == "visitor",
                    messages.c.author_id == visitor_id,
                )
            )
        ).scalars()
        carried = {attachment_id for ids in carried_lists for attachment_id in ids or []}
    return sum(row.bytes for row in uploads if row.id not in carried)
