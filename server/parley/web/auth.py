"""Who is asking: an agent's bearer token or the console's session cookie."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from parley.config import Settings
from parley.errors import Unauthorized
from parley.identity.agents import agent_for_token
from parley.identity.store import Agent
from parley.identity.tokens import SESSION_COOKIE
from parley.services import services


def presented_agent_token(connection: HTTPConnection) -> str | None:
    """``Authorization: Bearer`` wins over the session cookie."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return connection.cookies.get(SESSION_COOKIE)


def require_visitor_id(connection: HTTPConnection) -> str:
    """The visitor a bearer visitor token names (the widget's HTTP calls)."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the visitor token as a bearer token")
    return services(connection).signer.visitor_id(token.strip())


async def require_agent(connection: HTTPConnection) -> Agent:
    token = presented_agent_token(connection)
    if token is None:
        raise Unauthorized("sign in first")
    found = services(connection)
    return await agent_for_token(found.db, found.signer, token)


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The console's session: the agent token in an HttpOnly cookie, for the API and the forms."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.agent_token_ttl,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def client_address(connection: HTTPConnection) -> str:
    """The client's address, the key of every per-address limit: the peer's, or what a proxy
    in ``PARLEY_TRUSTED_PROXIES`` forwarded (applied by the app's middleware, nowhere else)."""
    return connection.client.host if connection.client else "unknown"
