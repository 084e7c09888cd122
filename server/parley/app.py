"""``create_app(settings)``: routes, middleware and lifespan. The one module that sees everything.

The three paths meet here and nowhere else: knowledge (``/api/v1/kb``, ``/help``),
conversation (``/ws/*``) and routing are composed from their packages.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from parley import console, demo, embed, helpcenter
from parley.api import attachments, auth, conversations, kb, mail, reports, visitors
from parley.api.cors import PublicApiCors
from parley.config import Settings
from parley.errors import ParleyError, RateLimited
from parley.services import Services, services
from parley.serving import limit_malloc_arenas, settle_heap
from parley.sockets.agent import agent_socket
from parley.sockets.limits import SocketLimits
from parley.sockets.visitor import visitor_socket
from parley.web.access_log import AccessLogMiddleware, redact_server_logs
from parley.web.compression import Compression
from parley.web.nul_guard import RefuseNul
from parley.web.socket_endpoints import SocketEndpoints

logger = logging.getLogger("parley")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


async def _parley_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ParleyError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSONResponse(exc.as_json(), status_code=exc.http_status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    body = {"error": {"code": code, "message": str(exc.detail)}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    body = {"error": {"code": "internal_error", "message": "something went wrong on our side"}}
    return JSONResponse(body, status_code=500)


async def healthz(request: Request) -> Response:
    found = services(request)
    await found.db.ping()
    if found.kb is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok"})


SOCKET_ENDPOINTS = {"/ws/visitor": visitor_socket, "/ws/agent": agent_socket}


def create_app(settings: Settings, *, settle_heap_once_started: bool = False) -> Starlette:
    """``settle_heap_once_started``: for a process that serves and nothing else (``serving``)."""
    redact_server_logs()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        found = Services.from_settings(settings)
        await found.start()
        app.state.services = found
        if settle_heap_once_started:
            settle_heap()
        try:
            yield
        finally:
            await found.close()

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        *demo.routes,
        *embed.routes,
        *auth.routes,
        *visitors.routes,
        *conversations.routes,
        *attachments.routes,
        *kb.routes,
        *mail.routes,
        *reports.routes,
        *helpcenter.routes,
        *console.routes,
    ]
    # Forwarded headers rewrite the client's address only when a configured proxy sent them.
    trusted = list(settings.trusted_proxies or ())
    proxies = [Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)] if trusted else []
    return Starlette(
        routes=routes,
        middleware=[
            *proxies,
            Middleware(AccessLogMiddleware),
            Middleware(RefuseNul),
            Middleware(SocketLimits),
            Middleware(Compression),  # HTML, CSS, JS and JSON gzipped; images pass through
            Middleware(PublicApiCors),
            Middleware(SocketEndpoints, endpoints=SOCKET_ENDPOINTS),
        ],
        exception_handlers={
            ParleyError: _parley_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The factory ``parley serve`` hands to uvicorn (each worker builds its own app)."""
    limit_malloc_arenas()  # before the app starts its threads
    return create_app(Settings.from_env(), settle_heap_once_started=True)
