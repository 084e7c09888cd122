"""The help center's pages as a reader and a search engine see them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from parley.config import Settings
from parley.db import Database
from parley.db.schema import kb_feedback, search_log


class _Head(HTMLParser):
    """The few things every page must declare: lang, title, description, canonical, OG."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.ids: set[str] = set()
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = values.get("name") or values.get("property")
            if key:
                self.meta[key] = values.get("content", "")
        elif tag == "link" and "rel" in values:
            self.links[values["rel"]] = values.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _page(response: httpx.Response, status: int = 200) -> _Head:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    head = _Head(response.text)
    assert head.title.strip()
    assert head.meta["description"].strip()
    assert head.links["canonical"].startswith("http://parley.test/")
    assert head.meta["og:title"].strip()
    assert head.meta["og:description"].strip()
    assert '<script src="/widget.js" async></script>' in response.text
    return head


async def _rows(settings: Settings, table: Any) -> list[dict[str, Any]]:
    db = Database(settings.resolved_database_url)
    try:
        async with db.read() as conn:
            return [dict(row) for row in (await conn.execute(select(table))).mappings()]
    finally:
        await db.close()


async def test_home_lists_categories_with_counts_and_top_articles(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/help")
    head = _page(response)
    assert head.lang == "en"
    assert head.title == "Help Center"
    assert head.links["canonical"] == "http://parley.test/help"
    html = response.text
    assert "How can we help?" in html
    assert 'action="/help/search"' in html
    assert "Account &amp; login" in html
    assert "Billing" in html
    assert html.count("2 articles") == 2  # drafts are not counted
    assert 'href="/help/articles/reset-password"' in html
    assert 'href="/help/c/account-login"' in html
    assert "Unreleased feature" not in html
    assert "Jak zresetować hasło" not in html
    assert 'href="/help?locale=pl"' in html  # two locales: a switch
    assert re.search(r'href="/help/static/helpcenter\.css\?v=[0-9a-f]{12}"', html)


async def test_home_in_another_locale(client: httpx.AsyncClient) -> None:
    response = await client.get("/help", params={"locale": "pl"})
    head = _page(response)
    assert head.lang == "pl"
    assert head.title == "Centrum pomocy"
    assert head.links["canonical"] == "http://parley.test/help?locale=pl"
    assert "Jak zresetować hasło" in response.text
    assert "1 artykuł" in response.text
    assert "Reset your password" not in response.text
    unknown = await client.get("/help", params={"locale": "xx"})
    assert _page(unknown).lang == "en"


async def test_search_page_shows_highlighted_results_and_logs_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/help/search", params={"q": "refund"})
    head = _page(response)
    assert head.meta["robots"] == "noindex"
    assert "<mark>" in response.text.lower()
    (row,) = await _rows(settings, search_log)
    assert row["source"] == "helpcenter"
    assert row["query"] == "refund"
    link = f'href="/help/articles/refunds?s={row["id"]}"'
    assert link in response.text
    article = await client.get(f"/help/articles/refunds?s={row['id']}")
    assert article.status_code == 200
    (clicked,) = await _rows(settings, search_log)
    assert clicked["clicked_slug"] == "refunds"
    assert _Head(article.text).links["canonical"] == "http://parley.test/help/articles/refunds"


async def test_search_page_escapes_a_hostile_query(client: httpx.AsyncClient) -> None:
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    response = await client.get("/help/search", params={"q": hostile})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


async def test_no_results_offers_support(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/search", params={"q": "zzxqv wqqzz"})
    _page(response)
    assert "No results for" in response.text
    assert "Contact support" in response.text


async def test_did_you_mean_links_to_the_suggestion(client: httpx.AsyncClient) -> None:
    api = (await client.get("/api/v1/kb/search", params={"q": "refnud"})).json()
    response = await client.get("/help/search", params={"q": "refnud"})
    _page(response)
    if api["suggestion"]:
        assert "Did you mean" in response.text
        assert f"/help/search?q={api['suggestion']}" in response.text
    else:
        pytest.skip("the engine offers no suggestion for this typo")


async def test_empty_and_too_long_searches(client: httpx.AsyncClient) -> None:
    empty = await client.get("/help/search")
    _page(empty)
    assert "Type a few words" in empty.text
    too_long = await client.get("/help/search", params={"q": "x" * 600})
    _page(too_long, 400)
    assert "longer than 500" in too_long.text


async def test_article_page_has_toc_faq_and_feedback(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/articles/reset-password")
    head = _page(response)
    assert head.title == "Reset your password · Help Center"
    assert head.meta["description"] == (
        "Forgot your password? Request a reset link and choose a new one."
    )
    assert head.meta["og:type"] == "article"
    assert head.links["canonical"] == "http://parley.test/help/articles/reset-password"
    html = response.text
    assert "<h1>Reset your password</h1>" in html
    assert html.count("<h1") == 1
    assert 'href="#steps"' in html  # table of contents
    assert "steps" in head.ids
    assert {"faq-1", "faq-2"} <= head.ids
    assert 'href="#faq-1"' in html
    assert 'href="/help/c/account-login"' in html  # breadcrumbs
    assert 'action="/help/articles/reset-password/feedback"' in html
    assert 'name="helpful" value="yes"' in html
    assert "<time datetime=" in html
    assert 'class="admonition note"' in html
    assert 'class="highlight"' in html
    assert 'src="/help/assets/account/images/reset-form.png"' in html


async def test_related_articles_are_linked(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/articles/two-factor")
    _page(response)
    assert "Related articles" in response.text
    assert 'href="/help/articles/reset-password"' in response.text


async def test_polish_article_speaks_polish(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/articles/pl/resetowanie-hasla")
    head = _page(response)
    assert head.lang == "pl"
    assert "Zaktualizowano" in response.text
    assert "Czy ten artykuł był pomocny?" in response.text


async def test_feedback_form_stores_the_vote_and_thanks(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.post("/help/articles/reset-password/feedback", data={"helpful": "no"})
    assert response.status_code == 303
    assert response.headers["location"] == "/help/articles/reset-password?feedback=thanks#feedback"
    thanked = await client.get(response.headers["location"])
    assert "Thanks for your feedback!" in thanked.text
    assert 'name="helpful"' not in thanked.text
    rows = await _rows(settings, kb_feedback)
    assert [(r["slug"], r["helpful"]) for r in rows] == [("reset-password", False)]
    for _ in range(5):  # the same reader again: still one vote
        await client.post("/help/articles/reset-password/feedback", data={"helpful": "yes"})
    rows = await _rows(settings, kb_feedback)
    assert [(r["slug"], r["helpful"]) for r in rows] == [("reset-password", True)]


async def test_bad_feedback_form(client: httpx.AsyncClient, settings: Settings) -> None:
    bad = await client.post("/help/articles/reset-password/feedback", data={"helpful": "maybe"})
    _page(bad, 400)
    missing = await client.post("/help/articles/nope/feedback", data={"helpful": "yes"})
    _page(missing, 404)
    assert await _rows(settings, kb_feedback) == []


async def test_category_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/c/billing")
    head = _page(response)
    assert head.title == "Billing · Help Center"
    assert head.links["canonical"] == "http://parley.test/help/c/billing"
    assert "Download your invoices" in response.text
    assert "Refunds" in response.text
    assert "Unreleased feature" not in response.text
    polish = await client.get("/help/c/konto-i-logowanie")
    assert _page(polish).lang == "pl"
    assert "Jak zresetować hasło" in polish.text


@pytest.mark.parametrize(
    "path",
    [
        "/help/articles/nope",
        "/help/articles/unreleased",
        "/help/c/nope",
        "/help/no/such/page",
        "/help/articles/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
async def test_missing_pages_are_friendly_html(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    head = _page(response, 404)
    assert head.meta["robots"] == "noindex"
    assert "Page not found" in response.text
    assert 'action="/help/search"' in response.text
    assert "<script>alert" not in response.text


async def test_trailing_slash_goes_home(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/")
    assert response.status_code == 308
    assert response.headers["location"] == "/help"


async def test_links_between_articles_reach_the_canonical_page(client: httpx.AsyncClient) -> None:
    page = (await client.get("/help/articles/two-factor")).text
    match = re.search(r'href="(/help/articles/[^"]*reset-password)"', page)
    assert match, "the Markdown link to reset-password.md"
    followed = await client.get(match.group(1), follow_redirects=True)
    assert followed.status_code == 200
    assert str(followed.url) == "http://parley.test/help/articles/reset-password"
