"""The baseline ``ws_load.py`` measures Parley against: the same server stack, doing nothing else.

Same uvicorn (websockets-sansio, no per-message deflate, 64 KB frames), same Starlette, same
websockets; no storage, no validation, no fan-out. An agent socket registers under
``?pair=K``; every text frame of a visitor socket with the same ``pair`` is forwarded to it
verbatim. Whatever Parley costs beyond this is the price of its conversation path.

With ``--frames 3`` it also writes what Parley's protocol writes back to the sender for each
message (an ``ack`` naming its ``client_id``, and the message itself, which every tab of the
visitor receives): the wire work of the protocol, with nothing stored or looked up.
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

agents: dict[str, WebSocket] = {}
answers_sender = False  # --frames 3


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
        text = message.get("text")
        agent = agents.get(pair)
        if agent is not None and text is not None:
            if answers_sender:
                client_id = json.loads(text).get("client_id")
                await websocket.send_text(json.dumps({"type": "ack", "client_id": client_id}))
                await websocket.send_text(text)
            await agent.send_text(text)


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
    parser.add_argument("--frames", type=int, choices=(1, 3), default=1)
    arguments = parser.parse_args()
    port = arguments.port
    answers_sender = arguments.frames == 3
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
