"""Reports over HTTP (docs/protocol.md, docs/reports.md): JSON, or CSV with ``format=csv``.
Admins see everything; an agent sees the episodes they were assigned in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import clock
from parley.errors import NotFound
from parley.reports.catalog import REPORTS
from parley.reports.request import parse_request
from parley.services import services
from parley.web.auth import require_agent


async def report(request: Request) -> Response:
    agent = await require_agent(request)
    name = request.path_params["name"]
    chosen = REPORTS.get(name)
    if chosen is None:
        raise NotFound(f"no report {name!r}; there are {', '.join(REPORTS)}", code="unknown_report")
    found = services(request)
    hours = found.site.current.hours
    asked = parse_request(
        dict(request.query_params),
        viewer_id=agent.id,
        viewer_is_admin=agent.role == "admin",
        zone=hours.timezone,
        now=clock.now(),
        filters=chosen.filters,
        admins_only=chosen.admins_only,
    )
    figures = await chosen.compute(found.db, asked.period, asked.scope)
    if asked.format == "csv":
        filename = f"parley-{name}-{asked.period.first}-{asked.period.last}.csv"
        return Response(
            chosen.csv(figures),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )
    return JSONResponse(figures)


routes = [Route("/api/v1/reports/{name}", report, methods=["GET"])]
