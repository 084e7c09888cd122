"""Jinja2 pages and static files of the console, always with its security headers.

The CSP allows only same-origin scripts and styles (no inline code anywhere), sockets back to
the server, and images from blobs/data URLs for pasted screenshots.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from parley.console import csrf

_HERE = Path(__file__).parent
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css"}
# Read once: the URLs carry a content hash so browsers may cache them for a year.
STATIC = {
    path.name: path.read_bytes()
    for path in sorted((_HERE / "static").iterdir())
    if path.suffix in STATIC_TYPES
}
VERSION = hashlib.sha256(b"".join(STATIC.values())).hexdigest()[:12]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' blob: data:; "
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
_env.globals.update(static_url=lambda name: f"/console/static/{name}?v={VERSION}")


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
    html = _env.get_template(template).render(csrf_token=csrf.issue(request, nonce), **context)
    headers = {**SECURITY_HEADERS, **(headers or {})}
    response = HTMLResponse(html, status_code=status, headers=headers)
    csrf.remember_nonce(request, response, nonce)
    return response


def static_file(name: str) -> Response | None:
    body = STATIC.get(name)
    if body is None:
        return None
    return Response(
        body,
        media_type=STATIC_TYPES[Path(name).suffix],
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )
