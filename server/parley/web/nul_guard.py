"""Refuse a NUL character in a request's path or query string with a clear 400, before any
handler can put it into a query (see ``parley.storable``)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from parley.storable import NUL_REFUSED
from parley.web.http_only import HttpOnly


class RefuseNul(HttpOnly):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _holds_nul(scope):
            body = {"error": {"code": "bad_request", "message": f"the address: {NUL_REFUSED}"}}
            await JSONResponse(body, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _holds_nul(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    query: bytes = scope.get("query_string", b"")
    return "\x00" in path or b"\x00" in unquote_to_bytes(query)
