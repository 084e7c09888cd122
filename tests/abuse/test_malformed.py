"""Input built to break a parser: JSON nested past any sane depth and numbers past a BIGINT.

Each gets a clear 400 (HTTP) or an ``error`` frame (socket), changes nothing, and leaves the
connection usable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from parley.config import Settings
from tests.conftest import serving
from tests.support.chat import new_visitor, visitor_client

NESTED = "[" * 30_000
NESTED_OBJECT = '{"a":' * 12_000
BEYOND_BIGINT = 2**63

JSON_ENDPOINTS = [
    "/api/v1/visitors",
    "/api/v1/auth/login",
    "/api/v1/kb/searches/click",
]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT], ids=["array", "object"])
async def test_deeply_nested_json_is_a_clear_400(
    client: httpx.AsyncClient, path: str, body: str
) -> None:
    headers = {"Content-Type": "application/json"}
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert (await client.post("/api/v1/visitors", json={})).status_code == 201


async def test_a_visitors_own_after_seq_beyond_a_bigint_is_400(live_url: str) -> None:
    token = await new_visitor(live_url)
    visitor, _ = await visitor_client(live_url, token)
    ack = await visitor.say("hello")
    await visitor.close()
    async with httpx.AsyncClient(base_url=live_url) as http:
        response = await http.get(
            f"/api/v1/conversations/{ack['conversation_id']}/messages",
            params={"after_seq": str(BEYOND_BIGINT)},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 400
    assert "after_seq" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "frame",
    [
        NESTED,
        '{"type": "message", "client_id": "n1", "text": "x", "attachments": ' + NESTED + "}",
        f'{{"type": "hello", "last_seq": {BEYOND_BIGINT}}}',
        f'{{"type": "read", "seq": {BEYOND_BIGINT}}}',
    ],
    ids=["nested", "nested-field", "hello-seq", "read-seq"],
)
async def test_malformed_frames_get_an_error_frame_and_the_socket_lives(
    live_url: str, frame: str
) -> None:
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    await visitor.say("first")
    await visitor.connection.send(frame)
    error = await visitor.expect("error")
    assert error["code"] == "invalid_frame"
    ack = await visitor.say("still here")  # stored and acknowledged, on the same socket
    assert ack["seq"] >= 2
    await visitor.close()


@pytest.fixture
async def live_url_on(database_url: str, settings: Settings) -> AsyncIterator[str]:
    """The app served on each backend in turn: PostgreSQL refuses a NUL that SQLite keeps."""
    async with serving(settings.with_overrides(database_url=database_url)) as live:
        yield live.url


async def test_a_nul_in_a_frame_is_an_error_frame_on_every_backend(live_url_on: str) -> None:
    visitor, _ = await visitor_client(live_url_on, await new_visitor(live_url_on))
    await visitor.connection.send('{"type": "message", "client_id": "n1", "text": "a\\u0000b"}')
    error = await visitor.expect("error")
    assert (error["code"], error["ref"]) == ("invalid_frame", "n1")
    assert "NUL" in error["message"]
    ack = await visitor.say("a backslash-u is text: \\u0000")
    assert ack["seq"] == 1  # the refused frame stored nothing
    await visitor.close()


async def test_a_nul_in_a_json_body_is_a_clear_400_on_every_backend(live_url_on: str) -> None:
    async with httpx.AsyncClient(base_url=live_url_on) as http:
        response = await http.post("/api/v1/visitors", json={"name": "Ann\x00"})
        assert response.status_code == 400
        assert "NUL" in response.json()["error"]["message"]
        assert (await http.post("/api/v1/visitors", json={"name": "Ann"})).status_code == 201


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/console/conversations?q=00%00",
        "/api/v1/conversations/cnv_%00/messages",
        "/help/assets/account/images/reset-form.png%00.txt",  # a NUL cutting a file name short
    ],
    ids=["query", "path", "file"],
)
async def test_a_nul_in_the_address_is_a_clear_400(client: httpx.AsyncClient, address: str) -> None:
    response = await client.get(address)
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
