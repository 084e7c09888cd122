"""Middleware that acts on HTTP requests only, and stays off a WebSocket's call stack.

A middleware written as ``async def __call__`` that hands a WebSocket on with
``await self.app(...)`` keeps its frame alive for as long as the socket is open: hundreds of
bytes per middleware per socket, with thousands of sockets. ``HttpOnly.__call__`` is a plain
function: for anything but HTTP it returns the app's own coroutine, which the server awaits
directly, so nothing of the middleware remains while a socket lives.
"""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpOnly:
    """Subclasses say what they do with an HTTP request in ``http``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "http":
            return self.http(scope, receive, send)
        return self.app(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
