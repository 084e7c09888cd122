"""The team's label list: names agents put on conversations, with a colour and a description.

Agents add names to it on the fly (``conversation.labels.add_label``); admins create, rename,
recolour, describe and delete. A rename or delete reaches every conversation carrying the
name in the same transaction, so the list and the conversations never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.conversation.events import AGENTS_CHANNEL, pack
from parley.conversation.labels import LABEL_COLOURS, clean_label
from parley.conversation.protocol import LabelsOut, encode
from parley.conversation.store import conversation_by_id
from parley.db import Database
from parley.db.records import record
from parley.db.schema import conversation_labels, labels, new_id
from parley.errors import BadRequest, Conflict, NotFound
from parley.services import Services

MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    colour: str
    description: str | None
    created_by: str | None
    created_at: datetime

    def public(self) -> dict[str, Any]:
        """What every console needs to draw a chip and suggest the name."""
        return {
            "id": self.id,
            "name": self.name,
            "colour": self.colour,
            "description": self.description,
        }


def check_colour(colour: str) -> str:
    if colour not in LABEL_COLOURS:
        raise BadRequest(f"colour is one of {', '.join(LABEL_COLOURS)}", code="invalid_colour")
    return colour


def check_description(text: str) -> str | None:
    """One line, at most 200 characters; empty means none."""
    text = " ".join(text.split())
    if len(text) > MAX_DESCRIPTION:
        raise BadRequest(
            f"a description is at most {MAX_DESCRIPTION} characters", code="invalid_description"
        )
    return text or None


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


async def announce(found: Services, relabelled: list[str] | None = None) -> None:
    """Every console hears the new list (a ``labels`` frame, so chips recolour at once) and a
    fresh SUMMARY of each conversation whose labels changed with it."""
    listed = [label.public() for label, _ in await list_labels(found.db)]
    await found.bus.publish(AGENTS_CHANNEL, pack(encode(LabelsOut(labels=listed))))
    for conversation_id in relabelled or []:
        conversation = await conversation_by_id(found.db, conversation_id)
        if conversation is not None:
            await found.conversations.announce_to_agents(conversation)
