"""Labels on conversations, and the team's list of them (``labels``): the only SQL for both.

Agents label conversations by name; a name nobody used before joins the list in the default
colour, in the same transaction (admins manage the list: ``console/labels.py``).
"""

from __future__ import annotations

import re

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parley import clock
from parley.db import Database
from parley.db.schema import conversation_labels, labels, new_id
from parley.errors import BadRequest

MAX_LABEL = 40
_LABEL = re.compile(r"^\w[\w .:-]*$")
MAX_LABELS = 20
# Chip colours (docs/console.md): each has a tint and a dark text that reads on it (AA).
LABEL_COLOURS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple")
DEFAULT_LABEL_COLOUR = LABEL_COLOURS[0]


def clean_label(text: str) -> str:
    """One spelling per label: trimmed, inner spaces collapsed, case-folded, short, made of
    letters, digits, spaces and ``- _ . :`` (so it fits in a URL path segment as it is)."""
    label = " ".join(text.split()).casefold()
    if len(label) > MAX_LABEL or not _LABEL.match(label):
        raise BadRequest(
            f"a label is 1 to {MAX_LABEL} letters, digits, spaces or - _ . :",
            code="invalid_label",
        )
    return label


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
