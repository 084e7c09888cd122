"""The signed-in agent's own account: ``PUT /api/v1/console/me/password``.

Changing one's password ends every session the agent holds (the token version moves on, and
their open consoles are closed with ``4401`` over the bus), except that the browser making the
change is handed a fresh session cookie and a CSRF token bound to it, as signing in would.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.console import csrf
from parley.identity.agents import change_own_password, start_session
from parley.services import services
from parley.web.auth import client_address, set_session_cookie
from parley.web.json import read_json_object, required_text


async def change_password(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    changed = await change_own_password(
        found.db,
        found.bus,
        found.login_throttle,
        agent,
        current_password=required_text(body, "current_password"),
        new_password=required_text(body, "new_password"),
        client_address=client_address(request),
    )
    token = await start_session(found.db, found.signer, changed)
    fresh_csrf = csrf.issue(request, csrf.nonce_for(request), session=token)
    response = JSONResponse({"agent": changed.public(), "csrf_token": fresh_csrf})
    set_session_cookie(response, token, found.settings)
    return response


routes = [Route("/api/v1/console/me/password", change_password, methods=["PUT"])]
