"""Jinja2 rendering for the help center: one autoescaping environment, one page shape.

Every page gets the same head (title, description, canonical URL, Open Graph, ``lang``) from
``page()``, so no template can forget them. Autoescape is on for everything; the only values
marked safe are HTML the knowledge engine produced and sanitized (article bodies, FAQ
answers, search snippets), and that happens in the templates where it is visible.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from parley.helpcenter import i18n
from parley.knowledge.render import article_url
from parley.services import services
from parley.sitesettings import SiteSettings
from parley.web import DESIGN_TOKENS

_HERE = Path(__file__).parent
# The shared design tokens first, then the help center's own rules: one file, one request.
CSS = DESIGN_TOKENS.read_bytes() + (_HERE / "static" / "helpcenter.css").read_bytes()
# The stylesheet's URL changes with its content, so it can be cached for a year.
CSS_URL = f"/help/static/helpcenter.css?v={hashlib.sha256(CSS).hexdigest()[:12]}"
JS = (_HERE / "static" / "helpcenter.js").read_bytes()
JS_URL = f"/help/static/helpcenter.js?v={hashlib.sha256(JS).hexdigest()[:12]}"
# No inline script runs on a help-center page: an article that slipped something past the
# sanitizer still could not execute it. Styles may be inline (the widget's shadow root).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob: https:; connect-src 'self' ws: wss:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
FAVICON = (_HERE / "static" / "favicon.svg").read_bytes()
FAVICON_URL = f"/help/static/favicon.svg?v={hashlib.sha256(FAVICON).hexdigest()[:12]}"


def help_url(path: str = "", locale: str | None = None, **params: str) -> str:
    """A help-center URL; the locale is only spelled out when it is not the default."""
    query = dict(params)
    if locale and locale != i18n.DEFAULT_LOCALE:
        query["locale"] = locale
    url = "/help" + quote(path, safe="/")
    return f"{url}?{urlencode(query)}" if query else url


def category_url(slug: str, locale: str) -> str:
    return help_url(f"/c/{slug}", locale)


_env = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(
    css_url=CSS_URL,
    js_url=JS_URL,
    favicon_url=FAVICON_URL,
    help_url=help_url,
    article_url=article_url,
    category_url=category_url,
    count_articles=i18n.count_articles,
    count_results=i18n.count_results,
    format_date=i18n.format_date,
    language_name=i18n.language_name,
)


def absolute(request: Request, path: str) -> str:
    """``path`` on the configured ``PARLEY_PUBLIC_URL``: a request's ``Host`` header is the
    client's to choose, and must not end up in links others are shown (cache poisoning)."""
    return services(request).settings.base_url + path


def render(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def page(
    request: Request,
    template: str,
    *,
    locale: str,
    title: str | None,
    description: str,
    canonical: str,
    status: int = 200,
    noindex: bool = False,
    locales: list[str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A whole HTML page; ``title`` None means the help center's home (just the site name)."""
    words = i18n.strings(locale)
    site = services(request).site.current
    site_name = i18n.site_name(site.site_name, locale)
    html = render(
        template,
        t=words,
        site_name=site_name,
        site=site,
        brand=brand_colour(site),
        locale=locale,
        locales=locales or [],
        page_title=title,
        title=f"{title} · {site_name}" if title else site_name,
        description=description,
        canonical=absolute(request, canonical),
        noindex=noindex,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def brand_colour(site: SiteSettings) -> str | None:
    """The admin's colour for the help center's accents (the widget's, so both match), or None
    when it is too light for links on white and white text on it (WCAG AA, 4.5:1): then the
    help center keeps its own."""
    colour = site.widget_color
    return colour if _contrast(colour, "#ffffff") >= 4.5 else None


def _contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    def channel(i: int) -> float:
        c = int(colour[i : i + 2], 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)


def message_page(
    request: Request, *, locale: str, status: int, heading: str, text: str
) -> HTMLResponse:
    """A friendly page for "not found" and "bad request", in the help center's own look."""
    return page(
        request,
        "message.html",
        locale=locale,
        title=heading,
        description=text,
        canonical=request.url.path,
        status=status,
        noindex=True,
        heading=heading,
        text=text,
    )


def not_found(request: Request, locale: str = i18n.DEFAULT_LOCALE) -> HTMLResponse:
    words = i18n.strings(locale)
    return message_page(
        request,
        locale=locale,
        status=404,
        heading=words["not_found_title"],
        text=words["not_found_text"],
    )
