"""Real WebSocket clients for tests: a visitor or an agent speaking PROTOCOL.md to a live server."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

_client_ids = itertools.count(1)


class ChatClient:
    """Frames that arrive while a test waits for another kind are kept, not dropped."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.inbox: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(frame))

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        if self.inbox:
            return self.inbox.pop(0)
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), within))
        return frame

    async def expect(self, frame_type: str, within: float = 5.0, **fields: Any) -> dict[str, Any]:
        """The first frame of ``frame_type`` matching ``fields``, received or still to come."""

        def matches(frame: dict[str, Any]) -> bool:
            return frame["type"] == frame_type and all(frame.get(k) == v for k, v in fields.items())

        for index, frame in enumerate(self.inbox):
            if matches(frame):
                return self.inbox.pop(index)
        deadline = asyncio.get_running_loop().time() + within
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no {frame_type} frame matching {fields}; got {self.inbox}")
            try:
                raw = await asyncio.wait_for(self.connection.recv(), remaining)
            except TimeoutError:
                continue
            frame = json.loads(raw)
            if matches(frame):
                return frame
            self.inbox.append(frame)

    async def collect(self, seconds: float) -> list[dict[str, Any]]:
        """Every frame already here or arriving within ``seconds``."""
        frames, self.inbox = self.inbox, []
        try:
            while True:
                frames.append(json.loads(await asyncio.wait_for(self.connection.recv(), seconds)))
        except TimeoutError:
            return frames

    async def say(self, text: str, **extra: Any) -> dict[str, Any]:
        """Send a message and wait for its ack."""
        client_id = f"c{next(_client_ids)}"
        await self.send({"type": "message", "client_id": client_id, "text": text, **extra})
        return await self.expect("ack", client_id=client_id)

    async def close(self) -> None:
        await self.connection.close()


async def new_visitor(base_url: str, **profile: Any) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/api/v1/visitors", json=profile)
        response.raise_for_status()
        token: str = response.json()["token"]
        return token


async def agent_token(base_url: str, email: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token


async def connect(ws_url: str, **headers: str) -> ChatClient:
    connection = await websockets.connect(ws_url, additional_headers=headers or None)
    return ChatClient(connection)


async def visitor_client(
    base_url: str, token: str, **hello: Any
) -> tuple[ChatClient, dict[str, Any]]:
    client = await connect(f"{base_url.replace('http', 'ws', 1)}/ws/visitor?token={token}")
    await client.send({"type": "hello", **hello})
    return client, await client.expect("welcome")


async def agent_client(
    base_url: str, token: str, **hello: Any
) -> tuple[ChatClient, dict[str, Any]]:
    client = await connect(f"{base_url.replace('http', 'ws', 1)}/ws/agent?token={token}")
    await client.send({"type": "hello", **hello})
    return client, await client.expect("welcome")
