"""The help center's pages: home, search, category, article, and the "was this helpful?" form.

Everything works without JavaScript: search is a GET form, feedback a POST form answered with
a redirect (so a reload never votes twice). Search results link to articles with ``?s=`` (the
search id), which is how a help-center click is credited to the search that led to it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from parley.errors import BadRequest
from parley.helpcenter import i18n
from parley.helpcenter.render import (
    category_url,
    help_url,
    message_page,
    not_found,
    page,
)
from parley.knowledge import Article, Category, KnowledgeBase, insights, store
from parley.knowledge.render import article_url
from parley.services import services
from parley.web.auth import client_address
from parley.web.forms import read_form

SEARCH_LIMIT = 20
TOP_PER_CATEGORY = 5


def _locales(kb: KnowledgeBase) -> list[str]:
    found = sorted({article.locale for article in kb.articles()})
    return sorted(found, key=lambda locale: locale != i18n.DEFAULT_LOCALE)  # default first


def _choose_locale(requested: str | None, locales: list[str]) -> str:
    if requested in locales:
        return str(requested)
    return locales[0] if locales else i18n.DEFAULT_LOCALE


async def home(request: Request) -> Response:
    found = services(request)
    kb = found.require_kb()
    locales = _locales(kb)
    locale = _choose_locale(request.query_params.get("locale"), locales)
    ranked = insights.by_popularity(kb.articles(locale), await found.popularity.scores())
    by_category: dict[str, list[Article]] = {}
    for article in ranked:
        by_category.setdefault(article.category_slug, []).append(article)
    sections = [
        (category, by_category[category.slug])
        for category in kb.categories(locale)
        if by_category.get(category.slug)
    ]
    return page(
        request,
        "home.html",
        locale=locale,
        locales=locales,
        title=None,
        description=i18n.strings(locale)["home_description"],
        canonical=help_url(locale=locale),
        sections=sections,
        top_per_category=TOP_PER_CATEGORY,
    )


async def search(request: Request) -> Response:
    found = services(request)
    kb = found.require_kb()
    locales = _locales(kb)
    locale = _choose_locale(request.query_params.get("locale"), locales)
    query = request.query_params.get("q", "")
    words = i18n.strings(locale)
    logged, error, status = None, None, 200
    if query.strip():
        try:
            logged = await insights.logged_search(
                kb, found.db, query, limit=SEARCH_LIMIT, locale=locale, source="helpcenter"
            )
        except BadRequest as exc:
            error, status = exc.message, 400
    title = f"{words['search_title']}: {query.strip()}" if query.strip() else words["search_title"]
    return page(
        request,
        "search.html",
        locale=locale,
        locales=locales,
        title=title,
        description=words["home_description"],
        canonical=help_url("/search", locale, q=query),
        status=status,
        noindex=True,
        query=query,
        logged=logged,
        error=error,
        with_search_id=_with_search_id,
    )


def _with_search_id(url: str, search_id: str) -> str:
    """``/help/articles/x#faq-2`` → ``/help/articles/x?s=ID#faq-2``."""
    path, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode({'s': search_id})}{hash_mark}{fragment}"


def _find_category(kb: KnowledgeBase, slug: str, requested: str | None) -> Category | None:
    """Category slugs are per locale; the requested locale's wins when two share a slug."""
    locales = _locales(kb)
    preferred = [requested] if requested in locales else []
    for locale in [*preferred, *locales]:
        for category in kb.categories(str(locale)):
            if category.slug == slug:
                return category
    return None


async def category(request: Request) -> Response:
    kb = services(request).require_kb()
    found = _find_category(kb, request.path_params["slug"], request.query_params.get("locale"))
    if found is None:
        return not_found(request)
    articles = [a for a in kb.articles(found.locale) if a.category_slug == found.slug]
    return page(
        request,
        "category.html",
        locale=found.locale,
        title=found.name,
        description=f"{found.name}: {i18n.count_articles(len(articles), found.locale)}. "
        f"{i18n.strings(found.locale)['home_description']}",
        canonical=category_url(found.slug, found.locale),
        category=found,
        articles=articles,
    )


async def article(request: Request) -> Response:
    found = services(request)
    kb = found.require_kb()
    requested = request.path_params["slug"]
    shown = kb.article(requested)
    if shown is None:
        return not_found(request)
    if shown.slug != requested:  # reached by its file path (how Markdown links point)
        return RedirectResponse(article_url(shown.slug), status_code=301)
    search_id = request.query_params.get("s")
    if search_id:
        await insights.record_click(found.db, slug=shown.slug, search_id=search_id)
        found.popularity.changed()
    return page(
        request,
        "article.html",
        locale=shown.locale,
        title=shown.title,
        description=shown.summary or i18n.strings(shown.locale)["home_description"],
        canonical=article_url(shown.slug),
        og_type="article",
        article=shown,
        related=kb.related(shown.slug),
        thanked=request.query_params.get("feedback") == "thanks",
    )


async def feedback(request: Request) -> Response:
    found = services(request)
    shown = found.require_kb().article(request.path_params["slug"])
    if shown is None:
        return not_found(request)
    answer = (await read_form(request)).get("helpful")
    if answer not in ("yes", "no"):
        words = i18n.strings(shown.locale)
        return message_page(
            request,
            locale=shown.locale,
            status=400,
            heading=words["bad_request_title"],
            text=f"{words['helpful_question']} {words['yes']} / {words['no']}",
        )
    address, secret = client_address(request), found.settings.signing_key()
    await store.record_feedback(
        found.db,
        slug=shown.slug,
        helpful=answer == "yes",
        voter=insights.voter(visitor_id=None, address=address, secret=secret),
    )
    found.popularity.changed()
    return RedirectResponse(f"{article_url(shown.slug)}?feedback=thanks#feedback", status_code=303)


async def anything_else(request: Request) -> Response:
    """Unknown help-center paths get the friendly HTML 404, not the API's JSON one."""
    if not request.path_params["rest"]:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(help_url() + query, status_code=308)
    return not_found(request)


routes = [
    Route("/help", home, methods=["GET"]),
    Route("/help/search", search, methods=["GET"]),
    Route("/help/c/{slug}", category, methods=["GET"]),
    Route("/help/articles/{slug:path}/feedback", feedback, methods=["POST"]),
    Route("/help/articles/{slug:path}", article, methods=["GET"]),
]
catch_all = Route("/help/{rest:path}", anything_else, methods=["GET"])
