"""What Parley's WebSocket protocol offers its app beyond ASGI: ``write_text_now``.

uvicorn with `parley serve`'s options on a loopback port, a bare ASGI app and a real client,
so what is checked is what reaches the wire.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from websockets.asyncio.client import connect

from parley.serving import SERVER_OPTIONS, WRITE_TEXT_NOW, PacedWebSocketProtocol
from tests.conftest import free_port


async def test_frames_written_at_once_reach_the_client_in_order_with_asgi_ones() -> None:
    outcomes: dict[str, bool] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        write = scope["extensions"][WRITE_TEXT_NOW]
        await receive()  # websocket.connect
        outcomes["before accept"] = write(b'"too early"')
        await send({"type": "websocket.accept"})
        outcomes["open"] = write('{"text":"naïve"}'.encode())
        await send({"type": "websocket.send", "text": "the ASGI way"})
        protocol: PacedWebSocketProtocol = write.__self__
        protocol.pause_writing()  # the transport's buffer is full: nothing more at once
        outcomes["buffer full"] = write(b'"must wait"')
        protocol.resume_writing()
        outcomes["again"] = write(b'"third"')
        await send({"type": "websocket.close", "code": 1000})
        outcomes["after close"] = write(b'"too late"')

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **SERVER_OPTIONS
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        async with connect(f"ws://127.0.0.1:{port}/ws") as client:
            received = [message async for message in client]
    finally:
        server.should_exit = True
        await serving

    assert received == ['{"text":"naïve"}', "the ASGI way", '"third"']
    assert outcomes == {
        "before accept": False,
        "open": True,
        "buffer full": False,
        "again": True,
        "after close": False,
    }
