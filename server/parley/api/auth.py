"""Agent sign-in: a bearer token for API clients and the console's session cookie."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.api.json import read_json_object, required_text
from parley.config import Settings
from parley.errors import Unauthorized
from parley.identity.agents import agent_for_token, sign_in
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


async def login(request: Request) -> Response:
    body = await read_json_object(request)
    found = services(request)
    agent = await sign_in(
        found.db,
        found.login_throttle,
        email=required_text(body, "email"),
        password=required_text(body, "password"),
        client_address=request.client.host if request.client else "unknown",
    )
    token = found.signer.agent_token(agent.id, agent.token_version)
    response = JSONResponse({"token": token, "agent": agent.public()})
    set_session_cookie(response, token, found.settings)
    return response


async def logout(request: Request) -> Response:
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def me(request: Request) -> Response:
    agent = await require_agent(request)
    return JSONResponse({"agent": agent.public()})


routes = [
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/me", me, methods=["GET"]),
]
