"""A flooding WebSocket client costs the server only what the app reads: the protocol Parley
runs under uvicorn parses no further ahead than that, and stops reading a socket it has closed
once the client has had room to answer.

uvicorn's protocol on a real loopback socket, under a bare ASGI app that reads like a paced
client (one frame, then nothing) or closes at once, so what is counted is the protocol's.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.uri import parse_uri

from parley.serving import (
    CLOSE_GRACE_BYTES,
    PARSE_SLICE_BYTES,
    SERVER_OPTIONS,
    SOCKET_RECEIVE_BUFFER_BYTES,
    PacedWebSocketProtocol,
)

TYPING = b'{"type":"typing","state":true}'
FLOOD_BYTES = 1024 * 1024
App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def reads_one_frame_then_waits(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await receive()
    await asyncio.sleep(3600)


async def closes_at_once(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": 4429, "reason": "too many frames"})
    await asyncio.sleep(3600)


async def closes_after_one_frame(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await receive()
    await send({"type": "websocket.close", "code": 1008, "reason": "frames are JSON text"})
    await asyncio.sleep(3600)


@contextlib.asynccontextmanager
async def served(app: App) -> AsyncIterator[tuple[int, list[PacedWebSocketProtocol]]]:
    """The app behind Parley's WebSocket protocol, as `parley serve` configures it."""
    options = {**SERVER_OPTIONS, "ws": PacedWebSocketProtocol}
    config = uvicorn.Config(app, log_level="warning", lifespan="off", **options)
    config.load()
    made: list[PacedWebSocketProtocol] = []

    def protocol() -> PacedWebSocketProtocol:
        made.append(PacedWebSocketProtocol(config, ServerState(), {}))
        return made[-1]

    server = await asyncio.get_running_loop().create_server(protocol, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], made
    finally:
        for each in made:
            each.transport.abort()
        server.close()


async def opened(port: int) -> tuple[ClientProtocol, asyncio.StreamReader, asyncio.StreamWriter]:
    """A client through the handshake, on a plain TCP connection it writes to as it likes."""
    client = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}/ws/visitor"))
    client.send_request(client.connect())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"".join(client.data_to_send()))
    client.receive_data(await reader.readuntil(b"\r\n\r\n"))
    return client, reader, writer


async def flooding_client(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A client that writes a megabyte of frames and reads nothing."""
    client, reader, writer = await opened(port)
    for _ in range(FLOOD_BYTES // len(TYPING)):
        client.send_text(TYPING)
    writer.write(b"".join(client.data_to_send()))
    return reader, writer


async def test_a_flood_is_parsed_no_further_ahead_than_the_app_reads() -> None:
    async with served(reads_one_frame_then_waits) as (port, made):
        _, writer = await flooding_client(port)
        await asyncio.sleep(0.5)  # the server has read what the kernel let it
        (protocol,) = made
        # One frame waits for the app (the rest of its slice parsed, the rest of the read not),
        # not the thousands a 256 KB read holds.
        assert protocol.queue.qsize() == 1
        # And the kernel holds little more for it: the window closes, the flooder blocks.
        kernel = protocol.transport.get_extra_info("socket")
        held = kernel.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        assert held <= 2 * SOCKET_RECEIVE_BUFFER_BYTES  # Linux doubles what it is given
        writer.close()


async def test_the_transport_pauses_only_once_bytes_wait_behind_an_untaken_frame() -> None:
    """A chat client's frame waiting for the app leaves the socket read (no ``epoll_ctl``
    pair per message); its next frame arriving before the app took the first pauses it, and
    is parsed only once the app reads on."""
    taken: asyncio.Queue[str] = asyncio.Queue()
    read_on = asyncio.Event()

    async def reads_when_told(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        while True:
            await read_on.wait()
            read_on.clear()
            await taken.put((await receive())["text"])

    async with served(reads_when_told) as (port, made):
        client, _, writer = await opened(port)
        client.send_text(b'{"n":1}')
        writer.write(b"".join(client.data_to_send()))
        await asyncio.sleep(0.2)
        (protocol,) = made
        assert protocol.queue.qsize() == 1
        assert protocol.transport.is_reading()
        client.send_text(b'{"n":2}')
        writer.write(b"".join(client.data_to_send()))
        await asyncio.sleep(0.2)
        assert not protocol.transport.is_reading()
        assert protocol.queue.qsize() == 1  # the second waits, unparsed
        read_on.set()
        assert await asyncio.wait_for(taken.get(), 5) == '{"n":1}'
        read_on.set()
        assert await asyncio.wait_for(taken.get(), 5) == '{"n":2}'
        assert protocol.transport.is_reading()
        writer.close()


async def test_a_lost_connection_reaches_the_app_after_at_most_one_more_frame() -> None:
    """The app of a paced flooder hears that the connection is gone at its next read or the
    one after, not after the rest of a parsed slice taken at the client's pace."""
    frames_after_loss: list[int] = []
    lost, heard = asyncio.Event(), asyncio.Event()

    async def paced_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await receive()
        await lost.wait()
        count = 0
        while (await receive())["type"] == "websocket.receive":
            count += 1
        frames_after_loss.append(count)
        heard.set()

    async with served(paced_app) as (port, made):
        _, writer = await flooding_client(port)
        await asyncio.sleep(0.5)
        (protocol,) = made
        # What uvicorn's keepalive does to a client whose pong waits behind its own frames.
        protocol.transport.close()
        await asyncio.sleep(0.1)
        lost.set()
        await asyncio.wait_for(heard.wait(), 5)
    assert frames_after_loss[0] <= 1
    writer.close()


@pytest.mark.parametrize("keeps_writing", [True, False], ids=["flooder", "polite"])
async def test_a_client_still_writing_after_the_close_is_cut_off(keeps_writing: bool) -> None:
    async with served(closes_at_once) as (port, made):
        if keeps_writing:
            reader, writer = await flooding_client(port)
        else:  # a client that answers the close: the ordinary closing handshake
            client, reader, writer = await opened(port)
            client.send_close(4429)
            writer.write(b"".join(client.data_to_send()))
        received = bytearray()
        with contextlib.suppress(ConnectionResetError):
            async with asyncio.timeout(5):  # uvicorn alone waits 10 s for the close reply
                while chunk := await reader.read(65536):
                    received += chunk
        assert b"too many frames" in received  # the close frame reached the client first
        writer.close()
        (protocol,) = made
        # After a 4429 one slice is parsed for the reply, not the 64 KB a polite close gets.
        assert protocol._after_close <= 2 * PARSE_SLICE_BYTES
    assert CLOSE_GRACE_BYTES < FLOOD_BYTES


async def test_a_close_reply_behind_unparsed_frames_still_ends_the_socket() -> None:
    """Frames and the client's close in one write: the close waits among the unparsed bytes
    when the app closes, and must still be found (not left for uvicorn's 10 s timer)."""
    async with served(closes_after_one_frame) as (port, _):
        client, reader, writer = await opened(port)
        for _ in range(20 * 1024 // len(TYPING)):
            client.send_text(TYPING)
        client.send_close(1000)
        writer.write(b"".join(client.data_to_send()))
        received = bytearray()
        async with asyncio.timeout(5):
            while chunk := await reader.read(65536):
                received += chunk
        assert b"frames are JSON text" in received
        writer.close()
