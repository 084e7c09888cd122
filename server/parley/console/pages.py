"""The console's pages: sign in, sign out, and the one-page app at ``/console``.

Sign-in is an ordinary form post answered with a redirect; it goes through the same
``sign_in`` (and throttle) as the login API and sets the same session cookie.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from parley.console import csrf
from parley.console.render import page, static_file
from parley.errors import Forbidden, RateLimited, Unauthorized
from parley.identity import setup as first_run
from parley.identity.agents import end_session, sign_in, start_session
from parley.identity.passwords import MIN_PASSWORD_LENGTH
from parley.identity.tokens import SESSION_COOKIE
from parley.services import services
from parley.web.auth import (
    client_address,
    presented_agent_token,
    require_agent,
    set_session_cookie,
)
from parley.web.forms import read_form


async def login_form(request: Request) -> Response:
    return page(request, "login.html", email="", error=None)


async def login(request: Request) -> Response:
    form = await read_form(request)
    email = form.get("email", "")
    try:
        csrf.verify(request, form.get(csrf.CSRF_FIELD, ""))
    except Forbidden:
        return page(request, "message.html", status=403, heading="This form has expired",
                    text="Reload the sign-in page and try again.")  # fmt: skip
    password = form.get("password", "")
    found = services(request)
    try:
        agent = await sign_in(
            found.db,
            found.login_throttle,
            email=email,
            password=password,
            client_address=client_address(request),
        )
    except Unauthorized:
        return page(request, "login.html", status=401, email=email,
                    error="Wrong email or password.")  # fmt: skip
    except RateLimited as exc:
        return page(request, "message.html", status=429, heading="Too many attempts",
                    text="Too many failed sign-ins. Wait a few minutes, then try again.",
                    headers={"Retry-After": str(exc.retry_after)})  # fmt: skip
    token = await start_session(found.db, found.signer, agent)
    response = RedirectResponse("/console", status_code=303)
    set_session_cookie(response, token, found.settings)
    return response


async def logout(request: Request) -> Response:
    form = await read_form(request)
    csrf.verify(request, form.get(csrf.CSRF_FIELD, ""))
    token = presented_agent_token(request)
    if token is not None:
        found = services(request)
        await end_session(found.db, found.signer, token)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def console(request: Request) -> Response:
    try:
        agent = await require_agent(request)
    except Unauthorized:
        # First run: with nobody to sign in as, the way in is creating an admin.
        first = await first_run.nobody_yet(services(request).db)
        return RedirectResponse(first_run.SETUP_PATH if first else "/console/login", 303)
    return page(request, "console.html", agent=agent.public(), min_password=MIN_PASSWORD_LENGTH)


async def static(request: Request) -> Response:
    response = static_file(request, request.path_params["name"])
    if response is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return response


routes = [
    Route("/console", console, methods=["GET"]),
    Route("/console/login", login_form, methods=["GET"]),
    Route("/console/login", login, methods=["POST"]),
    Route("/console/logout", logout, methods=["POST"]),
    Route("/console/static/{name:path}", static, methods=["GET"]),
]
