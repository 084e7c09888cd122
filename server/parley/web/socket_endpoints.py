"""Parley's WebSocket endpoints, reached without Starlette's router.

A socket lives for hours, and every coroutine between the server and its handler stays
suspended as long. Through Starlette's exception middleware, router and route, a socket kept
eight such frames (the route's session and exception wrappers among them) that do nothing for
a socket once it is open: Parley's handlers accept, read and close it themselves, and an error
escaping one reaches the server, which closes the socket with 1011 and logs it.
``SocketEndpoints`` sits innermost of the middleware and hands a WebSocket whose path it knows
straight to its handler, returning the handler's own coroutine; everything else goes on to the
router as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

Endpoint = Callable[[WebSocket], Awaitable[None]]


class SocketEndpoints:
    def __init__(self, app: ASGIApp, endpoints: Mapping[str, Endpoint]) -> None:
        self.app = app
        self.endpoints = dict(endpoints)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "websocket":
            endpoint = self.endpoints.get(scope["path"])
            if endpoint is not None:
                return endpoint(WebSocket(scope, receive, send))
        return self.app(scope, receive, send)
