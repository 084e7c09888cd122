"""``/api/v1/kb``: search, articles and feedback for the widget, the bot and outside clients.

These endpoints are public and called from the customer's pages (CORS: ``api/cors.py``).
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import clock
from parley.errors import BadRequest, NotFound
from parley.knowledge import MAX_LIMIT, Article, KnowledgeBase, insights, store
from parley.knowledge.render import article_url
from parley.services import services
from parley.web.auth import client_address
from parley.web.json import optional_text, read_json_object, required_text

PREFIX = "/api/v1/kb/"
DEFAULT_LIMIT = 5
_LOCALE_PATTERN = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})?")


def _limit(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise BadRequest("limit must be a whole number") from None
    if limit < 1:
        raise BadRequest("limit must be at least 1")
    return min(limit, MAX_LIMIT)


def _locale(raw: str | None) -> str:
    """``pt_BR`` and ``pt-BR`` are the engine's ``pt-br``."""
    if raw is None or not raw.strip():
        return "en"
    if not _LOCALE_PATTERN.fullmatch(raw.strip()):
        raise BadRequest("locale must look like en or pt-BR")
    return raw.strip().lower().replace("_", "-")


def _article_or_404(kb: KnowledgeBase, slug: str) -> Article:
    """A published article (drafts are never served), or 404."""
    article = kb.article(slug)
    if article is None:
        raise NotFound(f"no article {slug!r}")
    return article


def _article_link(article: Article) -> dict[str, str]:
    return {"slug": article.slug, "title": article.title, "url": article_url(article.slug)}


def _article_json(article: Article, related: list[Article]) -> dict[str, object]:
    return {
        "slug": article.slug,
        "title": article.title,
        "html": article.html,
        "category": article.category,
        "tags": list(article.tags),
        "updated_at": clock.iso(article.updated_at),
        "category_slug": article.category_slug,
        "locale": article.locale,
        "summary": article.summary,
        "url": article_url(article.slug),
        "headings": [
            {"level": h.level, "anchor": h.anchor, "text": h.text} for h in article.page.headings
        ],
        "faq": [
            {"id": item.id, "question": item.question, "answer_html": item.answer_html}
            for item in article.faq
        ],
        "related": [_article_link(other) for other in related],
    }


async def search(request: Request) -> Response:
    params = request.query_params
    found = services(request)
    logged = await insights.logged_search(
        found.require_kb(),
        found.db,
        params.get("q", ""),
        limit=_limit(params.get("limit")),
        locale=_locale(params.get("locale")),
        source=params.get("source", "api"),
        refines=params.get("refines"),
    )
    return JSONResponse(logged.as_json())


async def article(request: Request) -> Response:
    kb = services(request).require_kb()
    found = _article_or_404(kb, request.path_params["slug"])
    return JSONResponse(_article_json(found, kb.related(found.slug)))


async def feedback(request: Request) -> Response:
    found = services(request)
    slug = _article_or_404(found.require_kb(), request.path_params["slug"]).slug
    body = await read_json_object(request)
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise BadRequest("helpful must be true or false")
    visitor_id = _visitor_id(request)
    await store.record_feedback(
        found.db,
        slug=slug,
        helpful=helpful,
        visitor_id=visitor_id,
        voter=insights.voter(
            visitor_id=visitor_id,
            address=client_address(request),
            secret=found.settings.signing_key(),
        ),
    )
    found.popularity.changed()
    return Response(status_code=204)


def _visitor_id(request: Request) -> str | None:
    """A widget may send its visitor token, so that visitor's later vote replaces the first."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return services(request).signer.visitor_id(token.strip())


async def click(request: Request) -> Response:
    found = services(request)
    body = await read_json_object(request)
    slug = _article_or_404(found.require_kb(), required_text(body, "slug")).slug
    search_id = optional_text(body, "search_id")
    query = optional_text(body, "query")
    if not search_id and not (query and query.strip()):
        raise BadRequest("query (or search_id) is required")
    await insights.record_click(found.db, slug=slug, search_id=search_id, query=query)
    found.popularity.changed()
    return Response(status_code=204)


async def popular(request: Request) -> Response:
    params = request.query_params
    locale = _locale(params.get("locale"))
    limit = _limit(params.get("limit"))
    found = services(request)
    ranked = insights.by_popularity(
        found.require_kb().articles(locale), await found.popularity.scores()
    )
    results = [
        {**_article_link(a), "category": a.category, "summary": a.summary} for a in ranked[:limit]
    ]
    return JSONResponse({"locale": locale, "results": results})


routes = [
    Route("/api/v1/kb/search", search, methods=["GET"]),
    Route("/api/v1/kb/popular", popular, methods=["GET"]),
    Route("/api/v1/kb/searches/click", click, methods=["POST"]),
    Route("/api/v1/kb/articles/{slug:path}/feedback", feedback, methods=["POST"]),
    Route("/api/v1/kb/articles/{slug:path}", article, methods=["GET"]),
]
