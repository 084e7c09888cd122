"""Agent sign-in and sign-out: a bearer token for API clients and the console's session cookie.

How a request proves who it is lives in ``web/auth.py``, shared with the console. Sign-in and
sign-out refuse cross-site requests: a page elsewhere must not sign the victim's browser into
the attacker's account (login CSRF) nor out of their own. A browser says where a request comes
from (``Sec-Fetch-Site``, ``Origin``); a JSON body cannot be sent cross-site without a CORS
preflight, which these endpoints never grant, so requiring it stops older browsers too.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.errors import Forbidden, UnsupportedMediaType
from parley.identity.agents import end_session, sign_in, start_session
from parley.identity.tokens import SESSION_COOKIE
from parley.services import services
from parley.web.auth import client_address, presented_agent_token, require_agent, set_session_cookie
from parley.web.json import read_json_object, required_text


def refuse_cross_site(request: Request) -> None:
    """``403`` unless the request comes from Parley's own pages or from no page at all (an API
    client); ``415`` unless its body is declared JSON."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise Forbidden("sign-in and sign-out refuse cross-site requests", code="cross_site")
    origin = request.headers.get("origin")
    if origin is not None and origin.partition("://")[2] != request.headers.get("host"):
        raise Forbidden("sign-in and sign-out refuse cross-site requests", code="cross_site")
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json", code="json_required")


async def login(request: Request) -> Response:
    refuse_cross_site(request)
    body = await read_json_object(request)
    found = services(request)
    agent = await sign_in(
        found.db,
        found.login_throttle,
        email=required_text(body, "email"),
        password=required_text(body, "password"),
        client_address=client_address(request),
    )
    token = await start_session(found.db, found.signer, agent)
    response = JSONResponse({"token": token, "agent": agent.public()})
    set_session_cookie(response, token, found.settings)
    return response


async def logout(request: Request) -> Response:
    """End the presented session on the server (the token is refused from now on)."""
    refuse_cross_site(request)
    token = presented_agent_token(request)
    if token is not None:
        found = services(request)
        await end_session(found.db, found.signer, token)
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
