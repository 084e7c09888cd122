"""What the help center serves besides pages: its stylesheet and icon, article images, sitemap,
robots.

Article images live beside the Markdown in the KB dir; only image files inside that directory
are served (no dot-files, nothing a ``..`` or a symlink reaches outside it), never as HTML or
SVG, and with ``nosniff`` so a browser cannot be talked into reading one as a script.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from parley.helpcenter.render import (
    CSS,
    FAVICON,
    JS,
    absolute,
    category_url,
    help_url,
    not_found,
    render,
)
from parley.knowledge.render import article_url
from parley.services import services

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
_A_YEAR = 365 * 24 * 3600


def _static(body: bytes, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Cache-Control": f"public, max-age={_A_YEAR}, immutable"},
    )


async def stylesheet(request: Request) -> Response:
    return _static(CSS, "text/css")


async def script(request: Request) -> Response:
    return _static(JS, "text/javascript")


async def favicon(request: Request) -> Response:
    """The help center's icon; also at /favicon.ico, which browsers ask for on any page."""
    cache = (
        f"public, max-age={_A_YEAR}, immutable"
        if "v" in request.query_params
        else "public, max-age=86400"
    )
    return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": cache})


def image_path(kb_dir: Path, relative: str) -> Path | None:
    """The image file ``relative`` names inside ``kb_dir``, or None if it must not be served."""
    if "\x00" in relative or "\\" in relative:
        return None
    root = kb_dir.resolve()
    try:
        target = (root / relative).resolve()
        inside = target.relative_to(root)
        is_file = target.is_file()
    except (ValueError, OSError):  # outside the KB dir, or a name the OS refuses
        return None
    if target.suffix.lower() not in IMAGE_TYPES or not is_file:
        return None
    if any(part.startswith(".") for part in inside.parts):
        return None
    return target


async def asset(request: Request) -> Response:
    target = image_path(services(request).settings.kb_dir, request.path_params["path"])
    if target is None:
        return not_found(request)
    return FileResponse(
        target,
        media_type=IMAGE_TYPES[target.suffix.lower()],
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"},
    )


async def sitemap(request: Request) -> Response:
    published = services(request).require_kb().articles()
    categories = {(a.category_slug, a.locale) for a in published}
    locales = sorted({a.locale for a in published})
    entries: list[tuple[str, str | None]] = [
        (absolute(request, help_url(locale=locale)), None) for locale in locales
    ]
    entries += [
        (absolute(request, category_url(slug, locale)), None) for slug, locale in sorted(categories)
    ]
    entries += [
        (absolute(request, article_url(a.slug)), a.updated_at.date().isoformat()) for a in published
    ]
    return Response(render("sitemap.xml", entries=entries), media_type="application/xml")


async def robots(request: Request) -> Response:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /console",
        "Disallow: /help/search",
        f"Sitemap: {absolute(request, '/sitemap.xml')}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


routes = [
    Route("/help/static/helpcenter.css", stylesheet, methods=["GET"]),
    Route("/help/static/helpcenter.js", script, methods=["GET"]),
    Route("/help/static/favicon.svg", favicon, methods=["GET"]),
    Route("/favicon.ico", favicon, methods=["GET"]),
    Route("/help/assets/{path:path}", asset, methods=["GET"]),
    Route("/sitemap.xml", sitemap, methods=["GET"]),
    Route("/robots.txt", robots, methods=["GET"]),
]
