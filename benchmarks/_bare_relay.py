"""The baseline ``ws_load.py`` measures Parley against: the same server stack, doing nothing else.

Same uvicorn (websockets-sansio, no per-message deflate, 64 KB frames), same Starlette, same
websockets; no storage, no validation, no fan-out. An agent socket registers under
``?pair=K``; every text frame of a visitor socket with the same ``pair`` is forwarded to it
verbatim. Whatever Parley costs beyond this is the price of its conversation path.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

agents: dict[str, WebSocket] = {}


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def agent_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    pair = websocket.query_params.get("pair", "")
    agents[pair] = websocket
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass  # agents only listen here
    finally:
        if agents.get(pair) is websocket:
            del agents[pair]


async def visitor_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    pair = websocket.query_params.get("pair", "")
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        agent = agents.get(pair)
        if agent is not None and message.get("text") is not None:
            await agent.send_text(message["text"])


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        WebSocketRoute("/ws/agent", agent_socket),
        WebSocketRoute("/ws/visitor", visitor_socket),
    ]
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=64 * 1024,
        access_log=False,
        log_level="warning",
    )
