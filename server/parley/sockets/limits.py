"""Ceilings on what one client may hold and send over WebSockets, applied in front of the edge.

An ASGI middleware on ``/ws/*``, so the socket handlers stay as they are: it counts sockets per
client address and per client (a visitor, or an agent), shares one frame allowance among all
of a client's sockets (fifty sockets each under the per-socket limit are still one client),
and closes a socket that says nothing within the ``hello`` deadline. A refused socket is
accepted and closed at once with ``4429`` (a silent one with ``1008``), as PROTOCOL.md says.

Frames past the shared allowance are not refused but *paced*: the next one is read only when
the allowance has room. The server reads a socket one frame at a time, so the client's
further frames wait in its own buffers and TCP slows its writing; the server parses no more
than the allowance. (Closing instead would be worse: a closed flooder reconnects at once, and
the server still parses everything it had already sent.) A single socket that keeps sending
faster than its own limit is still closed with ``4429`` by the socket edge, and that client's
new sockets are then refused for ``FLOOD_COOL_DOWN_SECONDS`` with an HTTP ``429`` before the
upgrade: a flooder that reconnects at once costs a request line and a token check, not an
accepted socket, a ``hello`` and a burst of frames each time.
Sockets per address are counted by ``Services.address_sockets`` (shared through Redis when it is
configured); sockets per client and frame allowances by each process.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.errors import Unauthorized
from parley.identity.tokens import SESSION_COOKIE, TokenSigner
from parley.services import services
from parley.sockets.connection import CLOSE_PROTOCOL, CLOSE_RATE_LIMITED
from parley.web.auth import client_address

BURST_SECONDS = 3  # a client's shared allowance holds this many seconds of frames
FLOOD_COOL_DOWN_SECONDS = 10.0
_MAX_COOLING = 10_000  # clients remembered as cooling down, at most (memory under a spray)


@dataclass
class _Bucket:
    """A token bucket shared by a client's sockets."""

    rate: float
    tokens: float
    checked: float

    def take(self) -> float:
        """Take a frame's token; the seconds to wait before it is due (0: at once). Waiting
        frames queue up as debt, so the client's sockets together keep to the rate."""
        now = time.monotonic()
        self.tokens = min(self.rate * BURST_SECONDS, self.tokens + (now - self.checked) * self.rate)
        self.checked = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class SocketLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._per_client: Counter[str] = Counter()
        self._buckets: dict[str, _Bucket] = {}
        self._cooling: dict[str, float] = {}  # client -> when its cool-down ends (monotonic)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        found = services(connection)
        settings = found.settings
        address = client_address(connection)
        client = _client_of(scope, connection, found.signer)
        cooling_for = self._cooling.get(client, 0.0) - time.monotonic()
        if cooling_for > 0:
            await _deny(receive, send, math.ceil(cooling_for))
            return
        self._cooling.pop(client, None)
        ticket = await found.address_sockets.claim(address)
        if ticket is None:
            await _refuse(receive, send, "too many sockets from your address")
            return
        if self._per_client[client] >= settings.sockets_per_client:
            await found.address_sockets.release(address, ticket)
            await _refuse(
                receive, send, "too many sockets for one visitor or agent; close some tabs"
            )
            return
        self._per_client[client] += 1
        bucket = self._buckets.setdefault(
            client,
            _Bucket(settings.socket_frames_per_second, settings.socket_frames_per_second, 0.0),
        )
        guard = _Guard(receive, send, bucket, settings.hello_timeout_seconds)
        try:
            await self.app(scope, guard.receive, guard.send)
        finally:
            if guard.closed_for_flooding:
                self._cool_down(client)
            self._per_client[client] -= 1
            if self._per_client[client] <= 0:
                del self._per_client[client]
                self._buckets.pop(client, None)
            await found.address_sockets.release(address, ticket)

    def _cool_down(self, client: str) -> None:
        now = time.monotonic()
        if len(self._cooling) >= _MAX_COOLING:
            self._cooling = {key: end for key, end in self._cooling.items() if end > now}
        self._cooling[client] = now + FLOOD_COOL_DOWN_SECONDS


class _Guard:
    """One socket's ASGI channels, watched: the first frame must come before the deadline,
    and every frame is paid from the client's shared allowance (waiting for it if need be)."""

    def __init__(self, receive: Receive, send: Send, bucket: _Bucket, hello_timeout: float):
        self._receive = receive
        self._send = send
        self._bucket = bucket
        self._hello_timeout = hello_timeout
        self._heard = False
        self._accepted = False
        self._closed = False
        self.closed_for_flooding = False

    async def receive(self) -> Message:
        if self._closed:
            return {"type": "websocket.disconnect", "code": CLOSE_PROTOCOL}
        if self._accepted and not self._heard:
            try:
                message = await asyncio.wait_for(self._receive(), self._hello_timeout)
            except TimeoutError:
                return await self._close(CLOSE_PROTOCOL, "send hello first")
        else:
            message = await self._receive()
        if message["type"] == "websocket.receive":
            self._heard = True
            due_in = self._bucket.take()
            if due_in:
                await asyncio.sleep(due_in)
        return message

    async def send(self, message: Message) -> None:
        if self._closed:
            return  # the guard closed the socket: the handler's late frames go nowhere
        if message["type"] == "websocket.accept":
            self._accepted = True
        elif message["type"] == "websocket.close":
            self._closed = True
            self.closed_for_flooding = message.get("code") == CLOSE_RATE_LIMITED
        await self._send(message)

    async def _close(self, code: int, reason: str) -> Message:
        await self.send({"type": "websocket.close", "code": code, "reason": reason})
        return {"type": "websocket.disconnect", "code": code}


def _client_of(scope: Scope, connection: HTTPConnection, signer: TokenSigner) -> str:
    """Whose socket this is, from its credential (checked properly by the handler later)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = (query.get("token") or [""])[0]
    try:
        if scope["path"] == "/ws/visitor":
            return f"visitor:{signer.visitor_id(token)}"
        token = token or connection.cookies.get(SESSION_COOKIE, "")
        return f"agent:{signer.agent_claim(token).agent_id}"
    except Unauthorized:
        return f"unknown:{client_address(connection)}"  # refused by the handler anyway


async def _refuse(receive: Receive, send: Send, reason: str) -> None:
    """Accept and close at once with 4429, so the client learns why (a refused handshake
    would only say 403)."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": CLOSE_RATE_LIMITED, "reason": reason})


async def _deny(receive: Receive, send: Send, retry_after: int) -> None:
    """HTTP 429 instead of the upgrade: nothing accepted, no frame read (a browser sees the
    socket fail and backs off; ``Retry-After`` tells other clients how long)."""
    await receive()  # websocket.connect
    headers = [(b"retry-after", str(retry_after).encode()), (b"content-type", b"text/plain")]
    await send({"type": "websocket.http.response.start", "status": 429, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": b"too many frames; wait\n"})
