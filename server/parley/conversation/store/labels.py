"""The only SQL for labels: on conversations (``conversation_labels``) and the team's list
(``labels``). The rules they follow are ``conversation/labels.py``.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.conversation.labels import (
    DEFAULT_LABEL_COLOUR,
    MAX_LABELS,
    Label,
    check_colour,
    check_description,
    clean_label,
)
from parley.conversation.store.history import Change, Moment, apply_in
from parley.db import Database
from parley.db.records import record
from parley.db.schema import conversation_labels, labels, new_id
from parley.errors import BadRequest, Conflict, NotFound


async def labels_of(db: Database, conversation_ids: list[str]) -> dict[str, list[str]]:
    """Each conversation's labels, alphabetical (conversations without any are absent)."""
    if not conversation_ids:
        return {}
    found: dict[str, list[str]] = {}
    async with db.read() as conn:
        rows = await conn.execute(
            select(conversation_labels.c.conversation_id, conversation_labels.c.label)
            .where(conversation_labels.c.conversation_id.in_(conversation_ids))
            .order_by(conversation_labels.c.label)
        )
        for conversation_id, label in rows:
            found.setdefault(conversation_id, []).append(label)
    return found


async def add_label(
    db: Database, conversation_id: str, label: str, *, created_by: str | None = None
) -> bool:
    """Add a cleaned label; adding one the conversation has is a no-op. A name the team's list
    lacks joins it (default colour), in the same transaction: True when it did."""
    label = clean_label(label)
    try:
        async with db.transaction() as conn:
            have = (
                await conn.execute(
                    select(conversation_labels.c.label).where(
                        conversation_labels.c.conversation_id == conversation_id
                    )
                )
            ).scalars()
            present = set(have)
            if label in present:
                return False
            if len(present) >= MAX_LABELS:
                raise BadRequest(
                    f"at most {MAX_LABELS} labels per conversation", code="invalid_label"
                )
            await conn.execute(
                insert(conversation_labels).values(
                    conversation_id=conversation_id, label=label, created_at=clock.now()
                )
            )
            by = "agent" if created_by else None
            added = Moment("label_added", by, created_by, data={"label": label})
            await apply_in(conn, conversation_id, Change(moments=(added,)))
            return await _list_label(conn, label, created_by)
    except IntegrityError:
        return False  # another request added the same label first: the outcome is the same


async def _list_label(conn: AsyncConnection, name: str, created_by: str | None) -> bool:
    """Put ``name`` in the team's list unless it is there; a concurrent creator wins quietly."""
    if await conn.scalar(select(labels.c.id).where(labels.c.name == name)) is not None:
        return False
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    created = await conn.execute(
        dialect.insert(labels)
        .values(
            id=new_id("lbl"),
            name=name,
            colour=DEFAULT_LABEL_COLOUR,
            created_by=created_by,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return created.rowcount == 1


async def remove_label(db: Database, conversation_id: str, label: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            delete(conversation_labels).where(
                conversation_labels.c.conversation_id == conversation_id,
                conversation_labels.c.label == clean_label(label),
            )
        )


def _taken(name: str) -> Conflict:
    return Conflict(f"there is already a label called {name}", code="label_exists")


async def list_labels(db: Database) -> list[tuple[Label, int]]:
    """Every label with how many conversations carry it, most used first."""
    uses = (
        select(conversation_labels.c.label, func.count().label("uses"))
        .group_by(conversation_labels.c.label)
        .subquery()
    )
    count = func.coalesce(uses.c.uses, 0)
    async with db.read() as conn:
        rows = await conn.execute(
            select(labels, count.label("uses"))
            .outerjoin(uses, uses.c.label == labels.c.name)
            .order_by(count.desc(), labels.c.name)
        )
        return [(record(Label, row), int(row["uses"])) for row in rows.mappings()]


async def create_label(
    db: Database, *, name: str, colour: str, description: str, created_by: str
) -> Label:
    label = Label(
        id=new_id("lbl"),
        name=clean_label(name),
        colour=check_colour(colour),
        description=check_description(description),
        created_by=created_by,
        created_at=clock.now(),
    )
    try:
        async with db.transaction() as conn:
            await conn.execute(insert(labels).values(**asdict(label)))
    except IntegrityError:
        raise _taken(label.name) from None
    return label


async def _locked(conn: AsyncConnection, label_id: str) -> Label:
    """The label's row, locked until the transaction ends (SQLite writers take turns)."""
    row = (
        (await conn.execute(select(labels).where(labels.c.id == label_id).with_for_update()))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("no such label", code="unknown_label")
    return record(Label, row)


async def _carrying(conn: AsyncConnection, name: str) -> list[str]:
    found = await conn.execute(
        select(conversation_labels.c.conversation_id).where(conversation_labels.c.label == name)
    )
    return list(found.scalars())


async def change_label(
    db: Database,
    label_id: str,
    *,
    name: str | None = None,
    colour: str | None = None,
    description: str | None = None,
) -> tuple[Label, list[str]]:
    """Rename, recolour and/or describe; also the conversations a rename relabelled."""
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = clean_label(name)
    if colour is not None:
        values["colour"] = check_colour(colour)
    if description is not None:
        values["description"] = check_description(description)
    if not values:
        raise BadRequest("nothing to change: name, colour or description", code="invalid_label")
    try:
        async with db.transaction() as conn:
            old = await _locked(conn, label_id)
            new_name = values.get("name", old.name)
            relabelled = [] if new_name == old.name else await _carrying(conn, old.name)
            await conn.execute(update(labels).where(labels.c.id == label_id).values(**values))
            if relabelled:
                await _rename_on_conversations(conn, old.name, new_name)
    except IntegrityError:
        raise _taken(str(values.get("name"))) from None
    return replace(old, **values), relabelled


async def _rename_on_conversations(conn: AsyncConnection, old: str, new: str) -> None:
    """Carry the new name; a conversation that somehow has both keeps one."""
    both = select(conversation_labels.c.conversation_id).where(conversation_labels.c.label == new)
    await conn.execute(
        delete(conversation_labels).where(
            conversation_labels.c.label == old, conversation_labels.c.conversation_id.in_(both)
        )
    )
    await conn.execute(
        update(conversation_labels).where(conversation_labels.c.label == old).values(label=new)
    )


async def delete_label(db: Database, label_id: str) -> list[str]:
    """Remove the label from the list and from every conversation; those conversations."""
    async with db.transaction() as conn:
        label = await _locked(conn, label_id)
        carrying = await _carrying(conn, label.name)
        await conn.execute(
            delete(conversation_labels).where(conversation_labels.c.label == label.name)
        )
        await conn.execute(delete(labels).where(labels.c.id == label_id))
    return carrying
