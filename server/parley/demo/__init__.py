"""The demo product site at ``/``: what a customer's page with the one-line embed looks like."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

_PAGE = (Path(__file__).parent / "page.html").read_text(encoding="utf-8")


async def demo_page(request: Request) -> Response:
    return HTMLResponse(_PAGE)


routes = [Route("/", demo_page, methods=["GET"])]
