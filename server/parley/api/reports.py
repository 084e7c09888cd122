"""Reports over HTTP (docs/protocol.md, docs/reports.md): JSON, or CSV with ``format=csv``.
Admins see everything; an agent sees the episodes they were assigned in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import clock
from parley.reports.export import compared_csv
from parley.reports.overview import compared
from parley.reports.request import parse_request
from parley.services import services
from parley.web.auth import require_agent


async def overview(request: Request) -> Response:
    agent = await require_agent(request)
    found = services(request)
    hours = found.site.current.hours
    asked = parse_request(
        dict(request.query_params),
        viewer_id=agent.id,
        viewer_is_admin=agent.role == "admin",
        zone=hours.timezone,
        now=clock.now(),
    )
    report = await compared(found.db, asked.period, asked.scope, hours)
    if asked.format == "csv":
        name = f"parley-overview-{asked.period.first}-{asked.period.last}.csv"
        return Response(
            compared_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(report)


routes = [Route("/api/v1/reports/overview", overview, methods=["GET"])]
