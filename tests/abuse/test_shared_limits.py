"""With ``PARLEY_REDIS_URL`` set, the per-address allowances that matter most across processes
(new visitors, uploads) are one allowance for the whole site, not one per process: two apps
(two processes behind a load balancer) on the real Redis, one client alternating between them."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from parley.app import create_app
from parley.config import Settings
from tests.conftest import REDIS_URL


@pytest.fixture
async def two_processes(settings: Settings) -> AsyncIterator[list[httpx.AsyncClient]]:
    shared = settings.with_overrides(redis_url=REDIS_URL, visitors_per_minute=3)
    # An address no earlier run used: Redis keeps its windows for a minute.
    address = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    apps = [create_app(shared), create_app(shared)]
    async with (
        apps[0].router.lifespan_context(apps[0]),
        apps[1].router.lifespan_context(apps[1]),
    ):
        clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(address, 5000)),
                base_url="http://parley.test",
            )
            for app in apps
        ]
        yield clients
        for client in clients:
            await client.aclose()


async def test_new_visitors_from_one_address_share_one_allowance(
    two_processes: list[httpx.AsyncClient],
) -> None:
    statuses = [
        (await two_processes[n % 2].post("/api/v1/visitors", json={})).status_code for n in range(6)
    ]
    assert statuses == [201] * 3 + [429] * 3
    refused = await two_processes[1].post("/api/v1/visitors", json={})
    assert int(refused.headers["Retry-After"]) <= 60
