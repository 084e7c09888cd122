"""The real lifecycle over each database, a clock the test moves, and people to act in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Agent, Visitor
from parley.routing.hours import parse_business_hours
from tests.support.clock import FrozenClock, freeze
from tests.support.desk import Desk, insert_visitor, open_desk

HOURS = parse_business_hours("mon-fri 09:00-17:00", "UTC")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def moving(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return freeze(monkeypatch, MONDAY_10)


@pytest.fixture
def desk(db: Database) -> Desk:
    return open_desk(db, HOURS)


@pytest.fixture
def new_visitor(db: Database) -> Callable[[], Awaitable[Visitor]]:
    return lambda: insert_visitor(db)


@pytest.fixture
def new_agent(db: Database) -> Callable[[str], Awaitable[Agent]]:
    async def make(name: str) -> Agent:
        return await identity_store.insert_agent(
            db, email=f"{name.lower()}@example.com", name=name, password_hash="x", role="agent"
        )

    return make
