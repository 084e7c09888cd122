"""Every ceiling a visitor can run into, each while a second, well-behaved visitor (from
another address, through the trusted proxy) keeps working."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from typing import Any

import httpx
import pytest
import websockets
from PIL import Image

from parley.config import Settings
from tests.support.chat import ChatClient, new_visitor, visitor_client

ATTACKER = {"X-Forwarded-For": "198.51.100.66"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Small ceilings so each is reached in a few requests; loopback is the trusted proxy."""
    return settings.with_overrides(
        trusted_proxies=("127.0.0.1",),
        visitors_per_minute=5,
        uploads_per_minute=8,
        sockets_per_address=6,
        sockets_per_client=3,
        socket_frames_per_second=5,
        hello_timeout_seconds=1,
        unattached_upload_mb=1,
    )


def _ws(live_url: str, token: str) -> str:
    return f"{live_url.replace('http', 'ws', 1)}/ws/visitor?token={token}"


async def _attacker_visitor(live_url: str) -> str:
    async with httpx.AsyncClient(base_url=live_url, headers=ATTACKER) as http:
        response = await http.post("/api/v1/visitors", json={})
        assert response.status_code == 201
        token: str = response.json()["token"]
        return token


async def _bystander_still_chats(live_url: str) -> None:
    """A visitor from elsewhere: created, connected, answered with an ack."""
    token = await new_visitor(live_url)
    visitor, _ = await visitor_client(live_url, token)
    ack = await visitor.say("I am just a customer")
    assert ack["seq"] >= 1
    await visitor.close()


async def _closed_with(connection: Any) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(200):
            await asyncio.wait_for(connection.recv(), 5)
    code: int = closed.value.rcvd.code if closed.value.rcvd else 1006
    return code


async def test_visitor_creation_is_limited_per_address(live_url: str) -> None:
    async with httpx.AsyncClient(base_url=live_url, headers=ATTACKER) as http:
        statuses = [(await http.post("/api/v1/visitors", json={})).status_code for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    await _bystander_still_chats(live_url)


async def _greeted(live_url: str, token: str) -> Any:
    """A socket that said hello (so the hello deadline leaves it open)."""
    connection = await websockets.connect(_ws(live_url, token), additional_headers=ATTACKER)
    with contextlib.suppress(websockets.ConnectionClosed):
        await connection.send('{"type": "hello"}')
    return connection


async def test_sockets_are_limited_per_address_and_per_visitor(live_url: str) -> None:
    token = await _attacker_visitor(live_url)
    others = [await _attacker_visitor(live_url) for _ in range(4)]
    same_visitor = [await _greeted(live_url, token) for _ in range(4)]
    assert await _closed_with(same_visitor[3]) == 4429  # the fourth tab of one visitor
    more = [await _greeted(live_url, other) for other in others]
    assert await _closed_with(more[3]) == 4429  # the seventh socket from one address
    await _bystander_still_chats(live_url)
    for connection in [*same_visitor[:3], *more[:3]]:
        await connection.close()


async def _welcomes(tab: ChatClient, within: float) -> int:
    return sum(1 for frame in await tab.collect(within) if frame["type"] == "welcome")


async def test_frames_are_paced_across_a_visitors_sockets(live_url: str) -> None:
    """Three tabs, each within its own limit, together over the visitor's allowance: their
    frames are answered at the allowance's pace, none lost, and a bystander is not held up."""
    bystander, _ = await visitor_client(live_url, await new_visitor(live_url))
    token = await _attacker_visitor(live_url)
    tabs = [
        ChatClient(await websockets.connect(_ws(live_url, token), additional_headers=ATTACKER))
        for _ in range(3)
    ]
    for _ in range(8):  # 24 hellos, each answered with a welcome
        for tab in tabs:
            await tab.send({"type": "hello"})
    await bystander.say("I am just a customer")
    answered_meanwhile = [await _welcomes(tab, 0.01) for tab in tabs]
    assert sum(answered_meanwhile) < 24  # the flooder is still being paced...
    later = [await _welcomes(tab, 2.5) for tab in tabs]
    assert sum(answered_meanwhile) + sum(later) == 24  # ...and nothing it sent was lost
    for client in (*tabs, bystander):
        await client.close()


async def test_a_silent_socket_is_closed_after_the_hello_deadline(live_url: str) -> None:
    token = await _attacker_visitor(live_url)
    silent = await websockets.connect(_ws(live_url, token), additional_headers=ATTACKER)
    assert await _closed_with(silent) == 1008
    await _bystander_still_chats(live_url)


async def _attacker_conversation(live_url: str, token: str, opening: str) -> tuple[ChatClient, str]:
    """The attacker's socket, greeted, and the conversation its first message opened."""
    visitor = ChatClient(
        await websockets.connect(_ws(live_url, token), additional_headers=ATTACKER)
    )
    await visitor.send({"type": "hello"})
    await visitor.expect("welcome")
    return visitor, (await visitor.say(opening))["conversation_id"]


def _noise_png() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_uploads_sent_at_once_cannot_all_slip_past_the_limit(live_url: str) -> None:
    """Each noise PNG is ~360 KB: a 1 MB allowance holds two, whether sent in turn or at once."""
    token = await _attacker_visitor(live_url)
    visitor, conversation_id = await _attacker_conversation(
        live_url, token, "a burst of screenshots"
    )
    headers = {**ATTACKER, "Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=live_url, headers=headers, timeout=30) as http:
        burst = [
            http.post(
                "/api/v1/attachments",
                data={"conversation_id": conversation_id},
                files={"file": ("s.png", _noise_png(), "image/png")},
            )
            for _ in range(6)
        ]
        statuses = sorted(response.status_code for response in await asyncio.gather(*burst))
    assert statuses == [201, 201, 413, 413, 413, 413]
    await visitor.close()


async def test_uploads_no_message_carries_are_limited_per_visitor(live_url: str) -> None:
    token = await _attacker_visitor(live_url)
    visitor, conversation_id = await _attacker_conversation(
        live_url, token, "here come screenshots"
    )
    headers = {**ATTACKER, "Authorization": f"Bearer {token}"}
    statuses, uploaded = [], []
    async with httpx.AsyncClient(base_url=live_url, headers=headers) as http:
        for _ in range(4):
            response = await http.post(
                "/api/v1/attachments",
                data={"conversation_id": conversation_id},
                files={"file": ("s.png", _noise_png(), "image/png")},
            )
            statuses.append(response.status_code)
            if response.status_code == 201:
                uploaded.append(response.json()["attachment_id"])
        assert statuses[:2] == [201, 201]
        assert statuses[-1] == 413
        assert response.json()["error"]["code"] == "unattached_uploads"
        await visitor.say("these", attachments=uploaded)  # sent: they count no more
        again = await http.post(
            "/api/v1/attachments",
            data={"conversation_id": conversation_id},
            files={"file": ("s.png", _noise_png(), "image/png")},
        )
        assert again.status_code == 201
    await visitor.close()
    await _bystander_still_chats(live_url)


async def test_visitor_uploads_are_limited_per_address(live_url: str) -> None:
    """Image work is what an upload costs everyone: past the allowance it is refused unread."""
    token = await _attacker_visitor(live_url)
    visitor, conversation_id = await _attacker_conversation(
        live_url, token, "many small screenshots"
    )
    tiny = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(tiny, "PNG")
    headers = {**ATTACKER, "Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=live_url, headers=headers) as http:
        statuses = [
            (
                await http.post(
                    "/api/v1/attachments",
                    data={"conversation_id": conversation_id},
                    files={"file": ("s.png", tiny.getvalue(), "image/png")},
                )
            ).status_code
            for _ in range(10)
        ]
    assert statuses == [201] * 8 + [429] * 2
    await visitor.close()
    await _bystander_still_chats(live_url)
