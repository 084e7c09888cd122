"""CORS for the endpoints a widget calls from the customer's pages, and for nothing else.

The widget runs on other sites, so creating a visitor, searching the knowledge base, reading
one's own conversations and uploading attachments must answer cross-origin requests from
the allowed origins (``PARLEY_ALLOWED_ORIGINS``, or what an admin saved: read per request, so
a change applies at once). Credentials are bearer tokens, never cookies, so the console's
session is not exposed. It sits outside the exception handlers: error responses carry the
headers too, and the widget can read the error message.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from parley.services import services
from parley.web.http_only import HttpOnly

PUBLIC_PREFIXES = (
    "/api/v1/kb/",
    "/api/v1/visitors",
    "/api/v1/conversations",
    "/api/v1/attachments",
)


class PublicApiCors(HttpOnly):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self._cors: tuple[tuple[str, ...], CORSMiddleware] | None = None

    def _for(self, origins: tuple[str, ...]) -> CORSMiddleware:
        """Starlette's CORS for these origins, rebuilt only when they change."""
        if self._cors is None or self._cors[0] != origins:
            cors = CORSMiddleware(
                self.app,
                allow_origins=list(origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization"],
                max_age=3600,
            )
            self._cors = (origins, cors)
        return self._cors[1]

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith(PUBLIC_PREFIXES):
            origins = services(HTTPConnection(scope)).site.current.allowed_origins
            await self._for(origins)(scope, receive, send)
        else:
            await self.app(scope, receive, send)
