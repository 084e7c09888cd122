"""With ``PARLEY_REDIS_URL`` set, the per-address allowances that matter most across processes
(new visitors, uploads, sockets) are one allowance for the whole site, not one per process: two apps
(two processes behind a load balancer) on the real Redis, one client alternating between them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from parley.app import create_app
from parley.config import Settings
from tests.conftest import REDIS_URL, serving
from tests.support.chat import new_visitor


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


async def test_sockets_from_one_address_share_one_ceiling(settings: Settings) -> None:
    shared = settings.with_overrides(
        redis_url=REDIS_URL, sockets_per_address=3, trusted_proxies=("127.0.0.1",)
    )
    address = {"X-Forwarded-For": f"198.19.{secrets.randbelow(256)}.{secrets.randbelow(256)}"}
    async with serving(shared) as first, serving(shared) as second:
        token = await new_visitor(first.url)
        opened = []
        for live in (first, second, first):
            opened.append(await _greeted(live.url, token, address))
        refused = await _greeted(second.url, token, address)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(refused.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4429
        await opened.pop().close()  # one closed in the first process: room in the second
        opened.append(await _welcomed(second.url, token, address))
        for connection in opened:
            await connection.close()


async def _greeted(url: str, token: str, headers: dict[str, str]) -> Any:
    ws_url = f"{url.replace('http', 'ws', 1)}/ws/visitor?token={token}"
    connection = await websockets.connect(ws_url, additional_headers=headers)
    with contextlib.suppress(websockets.ConnectionClosed):
        await connection.send('{"type": "hello"}')
    return connection


async def _welcomed(url: str, token: str, headers: dict[str, str]) -> Any:
    """A socket that got its welcome, retried while the server is still releasing a closed one."""
    for _ in range(50):
        connection = await _greeted(url, token, headers)
        with contextlib.suppress(websockets.ConnectionClosed):
            if json.loads(await asyncio.wait_for(connection.recv(), 5))["type"] == "welcome":
                return connection
        await asyncio.sleep(0.1)
    raise AssertionError("no room for a socket after one was closed")
