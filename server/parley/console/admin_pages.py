"""The console's admin pages at ``/console/admin/<section>``: one page, its sections below.

Refused on the server to anyone but an admin (an agent gets 403, nobody signed in goes to the
sign-in page); the sections' data comes from ``admin_api``, which checks the role again.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from parley.console.render import page
from parley.conversation.labels import LABEL_COLOURS, MAX_LABEL
from parley.errors import NotFound, Unauthorized
from parley.identity.agents import MAX_CAPACITY
from parley.identity.passwords import MIN_PASSWORD_LENGTH
from parley.sitesettings import LOCALE_NAMES, MAX_GREETING, WIDGET_LOCALES
from parley.web.auth import require_agent

SECTIONS = {
    "agents": "Agents",
    "teams": "Teams",
    "labels": "Labels",
    "hours": "Business hours",
    "widget": "Widget",
    "mail": "Mail",
    "targets": "Response targets",
    "scorecard": "Review scorecard",
}


async def admin_page(request: Request) -> Response:
    section = request.path_params.get("section", "agents")
    if section not in SECTIONS:
        raise NotFound("no such admin page")
    try:
        agent = await require_agent(request)
    except Unauthorized:
        return RedirectResponse("/console/login", status_code=303)
    if agent.role != "admin":
        return page(request, "message.html", status=403, heading="Admins only",
                    text="Ask an admin of your team if something here needs changing.",
                    back_url="/console", back_text="Back to the inbox")  # fmt: skip
    return page(
        request,
        "admin.html",
        agent=agent.public(),
        section=section,
        sections=SECTIONS,
        min_password=MIN_PASSWORD_LENGTH,
        max_capacity=MAX_CAPACITY,
        max_greeting=MAX_GREETING,
        locales=WIDGET_LOCALES,
        locale_names=LOCALE_NAMES,
        label_colours=LABEL_COLOURS,
        max_label=MAX_LABEL,
    )


routes = [
    Route("/console/admin", admin_page, methods=["GET"]),
    Route("/console/admin/{section}", admin_page, methods=["GET"]),
]
