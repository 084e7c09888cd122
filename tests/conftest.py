"""Shared fixtures: a fresh database per backend (SQLite and the real PostgreSQL), the app
in-process over httpx, and settings pointing at a temporary data dir."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete

from parley.app import create_app
from parley.config import Settings
from parley.db import Database
from parley.db.schema import metadata
from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """One fresh, migrated database per backend for the whole run; PostgreSQL's is dropped after."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'parley.db'}"
        return
    async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
        yield url


@pytest.fixture(scope="session")
async def migrated_database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await db.upgrade()
    yield db
    await db.close()


@pytest.fixture
async def db(migrated_database: Database) -> AsyncIterator[Database]:
    """The backend's database, emptied after each test so tests never see each other's rows."""
    yield migrated_database
    async with migrated_database.transaction() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(delete(table))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        kb_dir=tmp_path / "kb",
        secret_key=secrets.token_urlsafe(32),
        identity_secret="identity-secret-for-tests",
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app in-process (lifespan included) on SQLite, spoken to over httpx."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield http


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
