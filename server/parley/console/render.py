"""Jinja2 pages and static files of the console, always with its security headers.

The CSP allows only same-origin scripts and styles (no inline code anywhere but the import map,
allowed by its hash), sockets back to the server, and images from blobs/data URLs for pasted
screenshots. Static URLs carry content hashes (``console/assets.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from parley.console import csrf
from parley.console.assets import ConsoleAssets
from parley.embed import etag_matches
from parley.web import DESIGN_TOKENS

_HERE = Path(__file__).parent
# Read once, when the process starts: what this release of Parley serves.
SHARED = {"tokens.css": DESIGN_TOKENS}  # served here, kept where every edge can reach them
ASSETS = ConsoleAssets(_HERE / "static", shared=SHARED)


def security_headers(assets: ConsoleAssets) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' {assets.import_map_source}; "
            "connect-src 'self' ws: wss:; img-src 'self' blob: data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


_env = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A console page with a fresh CSRF token bound to this browser and its session."""
    nonce = csrf.nonce_for(request)
    html = _env.get_template(template).render(
        csrf_token=csrf.issue(request, nonce),
        static_url=ASSETS.url,
        import_map=ASSETS.import_map,
        **context,
    )
    headers = {**security_headers(ASSETS), **(headers or {})}
    response = HTMLResponse(html, status_code=status, headers=headers)
    csrf.remember_nonce(request, response, nonce)
    return response


def static_file(request: Request, name: str) -> Response | None:
    """A static file: immutable at its current hashed URL, revalidated (ETag) at any other."""
    found = ASSETS.files.get(name)
    if found is None:
        return None
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": ASSETS.cache_control(name, request.query_params.get("v")),
        "ETag": found.etag,
    }
    if etag_matches(request, found.etag):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.content_type, headers=headers)
