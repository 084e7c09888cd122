"""Signed double-submit CSRF tokens for the console's forms and JSON writes.

A random nonce lives in the ``parley_csrf`` cookie; the token put in a form field (or the
``X-CSRF-Token`` header) is that nonce signed together with a digest of the session cookie.
A token therefore only works in the browser that holds the nonce, for the session it was made
for: another site can neither read it nor mint one, and signing in or out invalidates it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from parley.errors import Forbidden
from parley.identity.store import Agent
from parley.identity.tokens import SESSION_COOKIE
from parley.services import services
from parley.web.auth import require_agent

CSRF_COOKIE = "parley_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_AGE_SECONDS = 12 * 3600


def _serializer(connection: HTTPConnection) -> URLSafeTimedSerializer:
    key = services(connection).settings.signing_key()
    return URLSafeTimedSerializer(key, salt="parley.console.csrf")


def _session_digest(session: str | None) -> str:
    return hashlib.sha256((session or "").encode()).hexdigest()[:32]


def nonce_for(connection: HTTPConnection) -> str:
    """The browser's nonce, or a fresh one (which ``remember_nonce`` must then set)."""
    return connection.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def issue(connection: HTTPConnection, nonce: str, *, session: str | None = None) -> str:
    """A token for ``nonce``, bound to ``session``: by default the request's session cookie
    (or no session); a response that sets a new session cookie passes that one."""
    bound = session if session is not None else connection.cookies.get(SESSION_COOKIE)
    return str(_serializer(connection).dumps({"n": nonce, "s": _session_digest(bound)}))


def remember_nonce(connection: HTTPConnection, response: Response, nonce: str) -> None:
    if connection.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            httponly=True,
            samesite="strict",
            secure=services(connection).settings.secure_cookies,
            path="/",
        )


def verify(connection: HTTPConnection, token: str | None) -> None:
    """Raise ``Forbidden`` unless ``token`` matches this browser's nonce and session."""
    nonce = connection.cookies.get(CSRF_COOKIE)
    if not token or not nonce:
        raise Forbidden("missing CSRF token", code="csrf")
    try:
        payload = _serializer(connection).loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise Forbidden("invalid CSRF token", code="csrf") from None
    expected = {"n": nonce, "s": _session_digest(connection.cookies.get(SESSION_COOKIE))}
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(k), str) and hmac.compare_digest(payload[k], v)
        for k, v in expected.items()
    ):
        raise Forbidden("invalid CSRF token", code="csrf")


def verify_header(connection: HTTPConnection) -> None:
    verify(connection, connection.headers.get(CSRF_HEADER))


async def writing_agent(request: Request) -> Agent:
    """The signed-in agent behind a JSON write: the session cookie alone would let another
    site's form act for them, so the ``X-CSRF-Token`` header must match too."""
    agent = await require_agent(request)
    verify_header(request)
    return agent
