"""The first-run page at ``/console/setup``: create the first admin in the browser.

Open only while no admin exists, and only to whoever has the setup token from the server's
log (``identity/setup.py``). Each problem is shown beside the field it concerns, in words.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from parley.console import csrf
from parley.console.render import page
from parley.errors import BadRequest, Conflict, Forbidden
from parley.identity import setup as first_run
from parley.identity.agents import start_session
from parley.identity.passwords import MIN_PASSWORD_LENGTH
from parley.services import services
from parley.web.auth import set_session_cookie
from parley.web.forms import read_form

# Each refusal: the field it belongs beside, and what to do about it.
_REFUSALS = {
    "bad_token": ("token", "That is not the setup token. Copy it from the server's log."),
    "invalid_email": ("email", "Type an email address, like you@example.com."),
    "invalid_name": ("name", "Type your name (1 to 100 characters)."),
    "weak_password": ("password", f"Use at least {MIN_PASSWORD_LENGTH} characters."),
    "conflict": ("email", "An agent with this email exists already. Sign in instead."),
}


def _closed(request: Request) -> Response:
    return page(request, "message.html", status=404, heading="Parley is set up",
                text="An admin exists, so this page is closed. Sign in instead.")  # fmt: skip


def _form(request: Request, *, status: int = 200, errors: dict[str, str] | None = None,
          **values: str) -> Response:  # fmt: skip
    fields = {"token": "", "name": "", "email": "", **values}
    return page(request, "setup.html", status=status, errors=errors or {},
                min_password=MIN_PASSWORD_LENGTH, values=fields)  # fmt: skip


async def setup_form(request: Request) -> Response:
    if not await first_run.setup_open(services(request).db):
        return _closed(request)
    return _form(request, token=request.query_params.get("token", "")[:100])


async def setup(request: Request) -> Response:
    found = services(request)
    text = await read_form(request)
    try:
        csrf.verify(request, text.get(csrf.CSRF_FIELD, ""))
    except Forbidden:
        return page(request, "message.html", status=403, heading="This form has expired",
                    text="Reload the page and try again.", back_url=first_run.SETUP_PATH,
                    back_text="Back to setup")  # fmt: skip
    values = {name: text.get(name, "")[:300] for name in ("token", "name", "email")}
    if text.get("password", "") != text.get("repeat", ""):
        errors = {"repeat": "The two passwords differ. Type the same password twice."}
        return _form(request, status=400, errors=errors, **values)
    try:
        admin = await first_run.create_first_admin(
            found.db,
            expected_token=first_run.setup_token(found.settings.signing_key()),
            token=values["token"],
            email=values["email"],
            name=values["name"],
            password=text.get("password", ""),
        )
    except (BadRequest, Forbidden, Conflict) as exc:
        if exc.code == "setup_closed":
            return _closed(request)
        field, words = _REFUSALS.get(exc.code, ("name", exc.message))
        return _form(request, status=exc.http_status, errors={field: words}, **values)
    token = await start_session(found.db, found.signer, admin)
    response = RedirectResponse("/console", status_code=303)
    set_session_cookie(response, token, found.settings)
    return response


routes = [
    Route(first_run.SETUP_PATH, setup_form, methods=["GET"]),
    Route(first_run.SETUP_PATH, setup, methods=["POST"]),
]
