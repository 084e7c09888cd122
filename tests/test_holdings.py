"""What one key holds open across processes (Redis): leases a living process renews, and the
holdings of a process that stopped renewing are forgotten once their leases end."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from parley import holdings
from parley.holdings import RedisHoldings
from tests.conftest import REDIS_URL

LEASE_SECONDS = 1.5
KEYS = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def _process(redis: Redis, name: str) -> RedisHoldings:
    return RedisHoldings(redis, name, limit=2, lease_seconds=LEASE_SECONDS)


async def test_renewed_leases_outlive_their_first_term_and_lapse_when_renewal_stops(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(holdings, "RENEWAL_CHUNK", 4)  # six leases: two renewal calls
    name = f"test-{secrets.token_hex(4)}"
    holder, other = _process(redis, name), _process(redis, name)
    for key in KEYS:
        assert await holder.claim(key) is not None
        assert await holder.claim(key) is not None
    renewing = asyncio.create_task(holder.run())
    try:
        await asyncio.sleep(LEASE_SECONDS * 2.5)  # two whole leases, renewed meanwhile
        assert [await other.claim(key) for key in KEYS] == [None, None, None]
    finally:
        renewing.cancel()
    await asyncio.sleep(LEASE_SECONDS * 1.5)  # nobody renews: the leases end
    assert None not in [await other.claim(key) for key in KEYS]


async def test_a_released_ticket_frees_its_place_at_once(redis: Redis) -> None:
    holder = _process(redis, f"test-{secrets.token_hex(4)}")
    first = await holder.claim(KEYS[0])
    assert first is not None
    assert await holder.claim(KEYS[0]) is not None
    assert await holder.claim(KEYS[0]) is None
    await holder.release(KEYS[0], first)
    assert await holder.claim(KEYS[0]) is not None
