"""Serving the embeddable widget: ``GET /widget.js`` (the loader) and ``GET /widget/{path}``.

The loader is tiny and cached briefly (site owners expect a new release, or a colour an admin
just chose, to show up within minutes). It carries the admin's widget settings as defaults and
its ETag is the hash of what is served, so a change of either is a new ETag. Everything it pulls
in later is requested with ``?v=<content hash>`` and cached for a year as immutable. The hash is
written into the loader when it is served, so a new release changes every asset URL at once.

Files are read once, at the first request, into memory together with their gzip form, and
only the files found there can be served: a request path is a dictionary key, never a path
joined onto the file system, so ``..`` and friends have nothing to reach.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from parley.errors import NotFound
from parley.services import services
from parley.sitesettings import SiteSettings
from parley.web.compression import accepts_gzip

LOADER = "widget.js"
VERSION_PLACEHOLDER = "__PARLEY_VERSION__"
# A string literal in the loader, replaced by an object literal of the admin's defaults.
SITE_PLACEHOLDER = b'"__PARLEY_SITE__"'
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
LOADER_CACHE = "public, max-age=300"
VERSIONED_CACHE = "public, max-age=31536000, immutable"
# An asset asked for without the current version may come from a stale loader: never pin it.
UNVERSIONED_CACHE = "no-cache"


def widget_dir() -> Path:
    """Where the widget's files are: packaged into the wheel, else the repository's ``widget/``."""
    packaged = Path(__file__).parent / "widget_assets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "widget"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    content_type: str

    @classmethod
    def of(cls, body: bytes, content_type: str) -> Asset:
        digest = hashlib.sha256(body).hexdigest()[:20]
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0), f'"{digest}"', content_type)


@dataclass(frozen=True)
class Bundle:
    """The loader and the assets of one widget release, as served."""

    version: str
    loader: Asset
    assets: dict[str, Asset]


def read_bundle(root: Path) -> Bundle:
    root = root.resolve()
    sources: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        hidden = any(part.startswith(".") or part == "node_modules" for part in relative.parts)
        # A symlink pointing out of the widget directory is not part of the widget.
        if hidden or not path.is_file() or not path.resolve().is_relative_to(root):
            continue
        if path.suffix in CONTENT_TYPES:
            sources[relative.as_posix()] = path.read_bytes()
    if LOADER not in sources:
        raise RuntimeError(f"the widget loader {root / LOADER} is missing")
    loader_source = sources.pop(LOADER)
    fingerprint = hashlib.sha256()
    for name, body in sources.items():
        fingerprint.update(name.encode() + b"\0" + body + b"\0")
    version = fingerprint.hexdigest()[:12]
    loader = loader_source.replace(VERSION_PLACEHOLDER.encode(), version.encode())
    return Bundle(
        version=version,
        loader=Asset.of(loader, CONTENT_TYPES[".js"]),
        assets={
            name: Asset.of(body, CONTENT_TYPES[Path(name).suffix]) for name, body in sources.items()
        },
    )


@cache
def bundle() -> Bundle:
    return read_bundle(widget_dir())


@lru_cache(maxsize=4)
def loader_with_defaults(loader: Asset, defaults: tuple[tuple[str, str], ...]) -> Asset:
    """The loader with the admin's widget settings written in (ASCII JSON: nothing to escape)."""
    literal = json.dumps(dict(defaults), ensure_ascii=True, separators=(",", ":")).encode()
    return Asset.of(loader.body.replace(SITE_PLACEHOLDER, literal), loader.content_type)


def widget_defaults(site: SiteSettings) -> tuple[tuple[str, str], ...]:
    """What the widget falls back to where its tag has no ``data-*`` attribute."""
    chosen = {
        "color": site.widget_color,
        "position": site.widget_position,
        "locale": site.widget_locale,
        "greeting": site.widget_greeting,
        "name": site.site_name,
        "logo": site.site_logo_url,
        **{f"greeting_{locale}": text for locale, text in site.greetings_by_locale().items()},
    }
    return tuple((name, value) for name, value in chosen.items() if value)


def etag_matches(request: Request, etag: str) -> bool:
    """Whether the browser's cached copy (``If-None-Match``) is this one: answer 304."""
    return etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(","))


def asset_response(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if etag_matches(request, asset.etag):
        return Response(status_code=304, headers=headers)
    body = asset.body
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.content_type, headers=headers)


async def loader(request: Request) -> Response:
    site = services(request).site.current
    asset = loader_with_defaults(bundle().loader, widget_defaults(site))
    return asset_response(request, asset, LOADER_CACHE)


async def widget_asset(request: Request) -> Response:
    found = bundle()
    asset = found.assets.get(request.path_params["path"])
    if asset is None:
        raise NotFound("no such widget file")
    versioned = request.query_params.get("v") == found.version
    return asset_response(request, asset, VERSIONED_CACHE if versioned else UNVERSIONED_CACHE)


routes = [
    Route("/widget.js", loader, methods=["GET", "HEAD"]),
    Route("/widget/{path:path}", widget_asset, methods=["GET", "HEAD"]),
]
