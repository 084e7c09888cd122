"""Gzip for what the server sends (HTML, CSS, JavaScript, JSON), honouring ``Accept-Encoding``.

Starlette's ``GZipMiddleware`` compresses whenever the header mentions "gzip", so a client that
refuses it (``gzip;q=0``) would still get it; this wraps it with the header read properly. The
middleware already leaves alone images, streams and responses that carry their own encoding
(the widget's files, gzipped once when first read).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from parley.web.http_only import HttpOnly

COMPRESS_FROM_BYTES = 500  # smaller bodies gain less than the gzip header costs
LEVEL = 6  # nearly level 9's size for far less CPU
_REFUSED = ("q=0", "q=0.0", "q=0.00", "q=0.000")


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (by name or ``*``, without ``q=0``)."""
    for coding in accept_encoding.split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in _REFUSED
    return False


class Compression(HttpOnly):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.gzip = GZipMiddleware(app, minimum_size=COMPRESS_FROM_BYTES, compresslevel=LEVEL)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = Headers(scope=scope).get("accept-encoding", "")
        if wanted and accepts_gzip(wanted):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
