"""Agent sign-in: a bearer token for API clients and the console's session cookie.

How a request proves who it is lives in ``web/auth.py``, shared with the console."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.identity.agents import sign_in
from parley.identity.tokens import SESSION_COOKIE
from parley.services import services
from parley.web.auth import require_agent, set_session_cookie
from parley.web.json import read_json_object, required_text


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
