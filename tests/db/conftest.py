"""A database of its own per test, for migrations: the shared one is already at the newest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from parley.db import Database
from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database, no migration applied."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        yield db
        await db.close()
        return
    async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
        db = Database(url)
        yield db
        await db.close()
