"""How uvicorn runs Parley: the options `parley serve` (and the tests' live server) use, and
the one ceiling that must act before Parley sees a request at all.

A connection that opens and never finishes its request headers (or sends them a byte at a
time) holds a socket and memory for as long as the client likes; uvicorn waits forever for
the first request. ``HeaderDeadlineProtocol`` closes a connection whose request line and
headers are not complete within ``PARLEY_HEADER_TIMEOUT_SECONDS`` of it opening (or of the
previous response, on a kept-alive connection).

``PacedWebSocketProtocol`` keeps a flooding WebSocket client from making the server parse
what it will not use, and lets a socket's outbox write a frame without the ASGI send chain
(see its docstring).
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import gc
import socket
from collections import deque
from typing import Any, cast

import h11
from uvicorn._types import ASGIReceiveEvent, ASGISendEvent
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State

from parley.config import Settings


@functools.cache
def _header_timeout_seconds() -> float:
    """Read once per process, as the app itself reads its settings (each worker builds its own
    protocol from an import string, so nothing else can be handed to it)."""
    return float(Settings.from_env().header_timeout_seconds)


class HeaderDeadlineProtocol(H11Protocol):
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request's headers are all in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(
            _header_timeout_seconds(), self._headers_too_slow
        )

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


PARSE_SLICE_BYTES = 4 * 1024
CLOSE_GRACE_BYTES = 64 * 1024
CLOSE_RATE_LIMITED = 4429
# The scope extension under which a WebSocket's app finds ``PacedWebSocketProtocol.write_text_now``.
WRITE_TEXT_NOW = "parley.write_text_now"
# The kernel's receive buffer per WebSocket: chat frames are small, and a client the app reads
# slowly (paced) must block on a full window, not go on writing megabytes into the kernel.
SOCKET_RECEIVE_BUFFER_BYTES = 64 * 1024


class PacedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, parsing no further ahead than the app reads.

    uvicorn pauses reading once a frame is queued for the app, but parses all of the read it
    already has: up to 256 KB, thousands of a flooder's frames in one go on the event loop
    every socket shares (and then held in memory). Here a read is parsed a slice at a time
    and the rest waits, as bytes, until the app has taken what was parsed; of a slice's
    frames one is queued for the app and the others wait, parsed, in order. So when the
    connection is lost, the app hears of it after at most one more frame (uvicorn queued the
    disconnect behind every frame of the slice, and a paced app took them at its client's
    allowance: a dead flooder's socket, and its place in the per-visitor count, lingered for
    tens of seconds, and its reconnects were refused meanwhile). After Parley
    closes a socket, ``CLOSE_GRACE_BYTES`` more are read to find the client's close reply
    (one slice only after a ``4429``: a flooder's reply waits behind its flood, and parsing
    64 KB of its frames, ~1,800, cost each closed flooder several milliseconds of the loop);
    a client still writing past them is cut off instead of having ten seconds of frames
    parsed for nothing. The socket's kernel receive buffer is fixed small
    (``SOCKET_RECEIVE_BUFFER_BYTES``; Linux otherwise grows it to megabytes), so a paced
    flooder soon blocks instead of spending the machine's CPU on writes nobody reads.

    Outgoing text frames can skip the ASGI send chain: ``write_text_now`` (in the scope's
    extensions as ``WRITE_TEXT_NOW``) writes one at once, from plain code, without a task.
    Every frame sent the ASGI way passed through a coroutine per middleware, Starlette's
    WebSocket and uvicorn's ``send``, and was decoded to ``str`` only to be encoded back; a
    chat message is three frames, and that chain was a sixth of a process's CPU per message.
    Nothing in the chain acts on a data frame (the middlewares watch accept and close), so
    close and accept still go the ASGI way.
    """

    _pending = b""
    _offset = 0
    _after_close = 0
    _close_grace = CLOSE_GRACE_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        connection = transport.get_extra_info("socket")
        if connection is not None:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_RECEIVE_BUFFER_BYTES)
        self._parsed: deque[Request | Response | Frame] = deque()  # a server gets no Response
        super().connection_made(transport)

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if self.handshake_initiated and not self.close_sent:  # an upgrade the app will see
            extensions = cast(dict[str, Any], self.scope["extensions"])
            extensions[WRITE_TEXT_NOW] = self.write_text_now

    def write_text_now(self, text: bytes) -> bool:
        """Write a text frame (UTF-8) now; False if it cannot go without waiting (not yet
        accepted, closing, or the transport's buffer full), and then it goes the ASGI way."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        ):
            return False
        self.conn.send_text(text)
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._parsed.clear()  # not yet read, like the bytes still unparsed: nobody to answer
        self._pending, self._offset = b"", 0
        super().connection_lost(exc)

    def handle_events(self) -> None:
        self._parsed.extend(self.conn.events_received())
        self._handle_while_wanted()

    def _handle_while_wanted(self) -> None:
        """uvicorn's handling of each parsed event, stopping once a frame waits for the app."""
        while self._parsed and not self.read_paused:
            event = self._parsed.popleft()
            if isinstance(event, Request):
                self.handle_connect(event)
            elif isinstance(event, Frame):
                self._handle_frame(event)

    def _handle_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT:
            self.handle_text(frame)
        elif frame.opcode is Opcode.BINARY:
            self.handle_bytes(frame)
        elif frame.opcode is Opcode.CONT:
            self.handle_cont(frame)
        elif frame.opcode is Opcode.PING:
            self.handle_ping()
        elif frame.opcode is Opcode.PONG:
            self.handle_pong(frame)
        else:
            self.handle_close(frame)

    def data_received(self, data: bytes) -> None:
        self._pending = self._pending[self._offset :] + data if self._pending else data
        self._offset = 0
        self._parse_while_wanted()
        if self.read_paused and self._pending:  # bytes wait behind a frame the app has not taken
            self.transport.pause_reading()

    def send_receive_event_to_app(self) -> None:
        """uvicorn's, without pausing the transport: reading stops (``read_paused``) but the
        transport pauses only once bytes arrive while a frame waits (``data_received``).

        uvicorn paused and resumed the transport for every frame, two ``epoll_ctl`` calls and a
        new reader handle per chat message, though a chat client's next frame seldom arrives
        before the app has taken the last. A flooder is still held back by its first read.
        """
        queued = self.queue.qsize()
        was_paused, self.read_paused = self.read_paused, True  # so uvicorn's leaves it running
        super().send_receive_event_to_app()
        if self.queue.qsize() == queued:  # nothing queued (discarded after our close)
            self.read_paused = was_paused

    async def receive(self) -> ASGIReceiveEvent:
        message = await super().receive()
        self._parse_while_wanted()
        return message

    async def send(self, message: ASGISendEvent) -> None:
        if message["type"] == "websocket.close" and message.get("code") == CLOSE_RATE_LIMITED:
            self._close_grace = PARSE_SLICE_BYTES
        await super().send(message)
        if self.close_sent:  # the client's close reply may already wait among the bytes
            self._parse_while_wanted()

    def _parse_while_wanted(self) -> None:
        self._handle_while_wanted()
        while self._offset < len(self._pending) and not self.read_paused:
            piece = self._pending[self._offset : self._offset + PARSE_SLICE_BYTES]
            self._offset += len(piece)
            if self._offset == len(self._pending):
                self._pending, self._offset = b"", 0
            if self.close_sent:
                self._after_close += len(piece)
                if self._after_close > self._close_grace:
                    self._pending, self._offset = b"", 0
                    self.transport.abort()  # still writing after our close
                    return
            super().data_received(piece)


SERVER_OPTIONS: dict[str, Any] = {
    "http": "parley.serving:HeaderDeadlineProtocol",
    "ws": "parley.serving:PacedWebSocketProtocol",
    "ws_per_message_deflate": False,  # ~40 KB per idle socket for nothing (DESIGN.md)
    "ws_max_size": 64 * 1024,
    "proxy_headers": False,  # the app applies PARLEY_TRUSTED_PROXIES itself
}


def settle_heap() -> None:
    """Take what a started server holds for good out of the cycle collector's view.

    Once started, a process holds a few hundred thousand objects that live as long as it does
    (modules, the app, the knowledge base's snapshot). The collector's full passes walked all of
    them: a pause of hundreds of milliseconds on the event loop every socket shares, which was
    the chat's worst latency. ``gc.freeze`` moves them to a generation no pass walks; they are
    still freed when nothing refers to them (a replaced snapshot), only cycles among them are
    not looked for.
    """
    gc.collect()
    gc.freeze()


# glibc's ``mallopt`` parameter for the most malloc arenas a process keeps, and Parley's value.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2


def limit_malloc_arenas() -> None:
    """At most ``MALLOC_ARENAS`` glibc malloc arenas in a serving process, not eight per core.

    Every thread that allocates (the SQLite writer, each pooled connection's, the executor's)
    otherwise gets an arena of its own, and memory freed in one is not reused by another: at
    1,000 conversations that was about 6 KB of RSS per conversation (``benchmarks/ws_load.py``,
    docs/architecture.md), and CPU per message did not rise measurably. It overrides a
    ``MALLOC_ARENA_MAX`` in the environment; without glibc it does nothing.
    """
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_ARENA_MAX, MALLOC_ARENAS)
