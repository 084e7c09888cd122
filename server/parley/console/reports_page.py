"""The console's Reports page at ``/console/reports``: the page itself; its figures come from
``/api/v1/reports/*``, which applies who may see what (an admin everything, an agent their own).
The chart library (uPlot, vendored under ``static/vendor/``) is loaded on this page only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from parley.console.render import page
from parley.errors import Unauthorized
from parley.reports.period import PRESETS
from parley.web.auth import require_agent


async def reports_page(request: Request) -> Response:
    try:
        agent = await require_agent(request)
    except Unauthorized:
        return RedirectResponse("/console/login", status_code=303)
    return page(request, "reports.html", agent=agent.public(), presets=list(PRESETS))


routes = [Route("/console/reports", reports_page, methods=["GET"])]
