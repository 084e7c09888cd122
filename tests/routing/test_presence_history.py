"""A running server writes presence into its history: an agent whose console connects gets an
open stretch within a housekeeping pass, and it ends after they leave (past the grace period)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from parley.config import Settings
from parley.db import Database
from parley.db.schema import agent_presence
from tests.conftest import PASSWORD
from tests.support.chat import agent_client, agent_token


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(presence_grace_seconds=1)


async def _stretches(settings: Settings) -> list[tuple[str, bool]]:
    db = Database(settings.resolved_database_url)
    try:
        async with db.read() as conn:
            rows = await conn.execute(
                select(agent_presence.c.agent_id, agent_presence.c.offline_at.is_(None))
            )
            return [(agent_id, bool(still_open)) for agent_id, still_open in rows]
    finally:
        await db.close()


async def _until(settings: Settings, wanted: Callable[[list[tuple[str, bool]]], bool]) -> None:
    for _ in range(80):
        if wanted(await _stretches(settings)):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"presence history never got there: {await _stretches(settings)}")


async def test_a_connected_agent_is_recorded_online_then_offline(
    live_url: str, settings: Settings, make_agent: Callable[..., Awaitable[str]]
) -> None:
    email = await make_agent("Ann")
    agent, welcome = await agent_client(live_url, await agent_token(live_url, email, PASSWORD))
    ann = welcome["agent"]["id"]
    await _until(settings, lambda rows: rows == [(ann, True)])
    await agent.close()
    await _until(settings, lambda rows: rows == [(ann, False)])
