"""CORS for the endpoints a widget calls from the customer's pages, and for nothing else.

The widget runs on other sites, so creating a visitor, searching the knowledge base, reading
one's own conversations and uploading attachments must answer cross-origin requests from
``PARLEY_ALLOWED_ORIGINS``. Credentials are bearer tokens, never cookies, so the console's
session is not exposed. It sits outside the exception handlers: error responses carry the
headers too, and the widget can read the error message.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC_PREFIXES = (
    "/api/v1/kb/",
    "/api/v1/visitors",
    "/api/v1/conversations",
    "/api/v1/attachments",
)


class PublicApiCors:
    def __init__(self, app: ASGIApp, allowed_origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization"],
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PUBLIC_PREFIXES):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
