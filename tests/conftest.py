"""Shared fixtures: a fresh database per backend (SQLite and the real PostgreSQL), the app
in-process over httpx, and settings pointing at a temporary data dir."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright
from sqlalchemy import delete
from starlette.applications import Starlette

from parley.app import create_app
from parley.bus import Bus
from parley.bus.memory import MemoryBus
from parley.bus.redis import RedisBus
from parley.config import Settings
from parley.db import Database
from parley.db.schema import metadata
from parley.identity.agents import create_agent
from parley.serving import SERVER_OPTIONS
from tests.support.live_server import free_port
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


PASSWORD = "correct horse battery"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
async def bus_pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Bus, Bus]]:
    """Two processes' buses: one bus shared in a process, or two connections to Redis."""
    if request.param == "memory":
        bus = MemoryBus()
        yield bus, bus
        return
    first, second = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    await first.start()
    await second.start()
    yield first, second
    await first.close()
    await second.close()


class LiveApp(NamedTuple):
    url: str
    app: Starlette  # its ``state.services`` is the running process's, for tests that reach in


@asynccontextmanager
async def serving(settings: Settings, port: int | None = None) -> AsyncIterator[LiveApp]:
    """The app under uvicorn in this process and event loop, on loopback."""
    port = port or free_port()
    app = create_app(settings.with_overrides(presence_grace_seconds=1, reassign_after_seconds=2))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        **SERVER_OPTIONS,  # as `parley serve`
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if task.done():
            task.result()
    try:
        yield LiveApp(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def live_app(settings: Settings) -> AsyncIterator[LiveApp]:
    """The app served by uvicorn in this process, on a free port."""
    async with serving(settings) as live:
        yield live


@pytest.fixture
def live_url(live_app: LiveApp) -> str:
    return live_app.url


@pytest.fixture
def make_agent(settings: Settings) -> Callable[..., Awaitable[str]]:
    """Create an agent in the live server's database; returns their email."""

    async def make(name: str = "Ann", role: str = "agent") -> str:
        email = f"{name.lower()}@example.com"
        db = Database(settings.resolved_database_url)
        try:
            await create_agent(db, email=email, name=name, password=PASSWORD, role=role)
        finally:
            await db.close()
        return email

    return make


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, once for the whole run (never Playwright's own download)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()
