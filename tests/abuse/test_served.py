"""What only a real ``parley serve`` shows: its log lines and how it reads forwarded headers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.chat import new_visitor, visitor_client
from tests.support.live_server import LiveServer, parley_env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module, SQLite in a temporary data dir, logging at INFO."""
    home: Path = tmp_path_factory.mktemp("served")
    env = parley_env(
        data_dir=str(home / "data"),
        kb_dir=str(home / "kb"),
        log_level="INFO",
        header_timeout_seconds="1",
    )
    server = LiveServer(env, home).start()
    yield server
    server.stop()


async def test_no_token_reaches_the_log(served: LiveServer) -> None:
    token = await new_visitor(served.url)
    visitor, _ = await visitor_client(served.url, token)
    await visitor.say("hello")
    await visitor.close()
    async with httpx.AsyncClient(base_url=served.url) as http:
        await http.get("/api/v1/conversations", params={"token": token})
    log = served.log()
    assert "/ws/visitor" in log  # the socket was logged...
    assert token not in log  # ...without its token
    assert token.split(".")[0] not in log


def test_forwarded_for_from_an_untrusted_peer_changes_nothing(served: LiveServer) -> None:
    """Without PARLEY_TRUSTED_PROXIES, rotating X-Forwarded-For does not escape the limit."""
    statuses = [
        httpx.post(
            f"{served.url}/api/v1/auth/login",
            json={"email": f"nobody{n}@example.com", "password": "a guess"},  # no email delay
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(11)
    ]
    assert statuses == [401] * 10 + [429]


async def test_a_connection_that_never_finishes_its_headers_is_closed(served: LiveServer) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: parley\r\nX-Slow: ")  # and nothing more
    await writer.drain()
    closed_after = await asyncio.wait_for(reader.read(), timeout=5)  # EOF once the server closes
    assert closed_after == b""
    writer.close()
    async with httpx.AsyncClient(base_url=served.url) as http:  # a prompt client is served
        assert (await http.get("/healthz")).status_code == 200
