"""The real lifecycle over each database, a clock the test moves, and people to act in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from parley.bot.answer import Bot
from parley.bus.memory import MemoryBus
from parley.config import Settings
from parley.conversation.lifecycle import Lifecycle
from parley.conversation.service import ConversationService
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Agent, Visitor
from parley.routing.hours import parse_business_hours
from parley.routing.presence import MemoryPresence
from parley.routing.service import RoutingService
from parley.sitesettings import effective
from tests.support.clock import FrozenClock, freeze

HOURS = parse_business_hours("mon-fri 09:00-17:00", "UTC")
VOICE = effective(Settings(), {})  # the built-in bot name and words
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def moving(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return freeze(monkeypatch, MONDAY_10)


@dataclass
class Desk:
    db: Database
    life: Lifecycle


@pytest.fixture
def desk(db: Database) -> Desk:
    life = Lifecycle(db, ConversationService(db, MemoryBus()), Bot(), lambda: HOURS, lambda: VOICE)
    RoutingService(db, life, MemoryPresence(60), lambda: HOURS, reassign_after_seconds=60)
    return Desk(db, life)


@pytest.fixture
def new_visitor(db: Database) -> Callable[[], Awaitable[Visitor]]:
    async def make() -> Visitor:
        return await identity_store.insert_visitor(
            db,
            name="Vera",
            email=None,
            locale="en",
            page_url=None,
            referrer=None,
            user_agent=None,
            attributes={},
            user_id=None,
            verified=False,
        )

    return make


@pytest.fixture
def new_agent(db: Database) -> Callable[[str], Awaitable[Agent]]:
    async def make(name: str) -> Agent:
        return await identity_store.insert_agent(
            db, email=f"{name.lower()}@example.com", name=name, password_hash="x", role="agent"
        )

    return make
