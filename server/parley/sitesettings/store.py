"""The only SQL for ``site_settings``: read every row, save an admin's changes at once."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, insert, select

from parley import clock
from parley.db import Database
from parley.db.records import record
from parley.db.schema import site_settings
from parley.sitesettings import StoredValue


async def read_all(db: Database) -> dict[str, StoredValue]:
    async with db.read() as conn:
        rows = (await conn.execute(select(site_settings))).mappings().all()
    return {row["key"]: record(StoredValue, row) for row in rows}


async def save(db: Database, changes: Mapping[str, str | None], agent_id: str) -> None:
    """Set or (for ``None``) clear each key, all in one transaction."""
    now = clock.now()
    async with db.transaction() as conn:
        await conn.execute(delete(site_settings).where(site_settings.c.key.in_(list(changes))))
        rows = [
            {"key": key, "value": value, "updated_by": agent_id, "updated_at": now}
            for key, value in changes.items()
            if value is not None
        ]
        if rows:
            await conn.execute(insert(site_settings), rows)
