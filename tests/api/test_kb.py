"""``/api/v1/kb``: the knowledge-base contract of PROTOCOL.md, its extensions, logging and CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from parley.app import create_app
from parley.config import Settings
from parley.db import Database
from parley.db.schema import kb_feedback, search_log
from tests.helpcenter.sample_kb import write_sample_kb


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with the sample knowledge base written before the app starts."""
    write_sample_kb(settings.kb_dir)
    return settings


async def _rows(settings: Settings, table: Any) -> list[dict[str, Any]]:
    db = Database(settings.resolved_database_url)
    try:
        async with db.read() as conn:
            result = await conn.execute(select(table).order_by(table.c.created_at))
            return [dict(row) for row in result.mappings()]
    finally:
        await db.close()


@asynccontextmanager
async def _client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield http


def _error(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    assert error["code"]
    assert error["message"]
    return error


# ---- search ----


async def test_search_has_the_protocol_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/kb/search", params={"q": "password"})
    assert response.status_code == 200
    body = response.json()
    assert {"query", "took_ms", "suggestion", "results", "search_id"} <= set(body)
    assert body["query"] == "password"
    assert isinstance(body["took_ms"], int | float)
    assert body["suggestion"] is None or isinstance(body["suggestion"], str)
    assert body["results"], "the reset-password article mentions password"
    for hit in body["results"]:
        assert {"kind", "id", "slug", "title", "url", "snippet_html", "category", "score"} <= set(
            hit
        )
        assert hit["kind"] in {"article", "faq"}
        assert all(isinstance(hit[key], str) for key in ("id", "slug", "title", "url", "category"))
        assert hit["url"].startswith("/help/articles/")
        assert isinstance(hit["score"], int | float)
    assert body["results"][0]["slug"] == "reset-password"


async def test_prefix_finds_the_whole_word(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/kb/search", params={"q": "passw"})).json()
    assert "reset-password" in {hit["slug"] for hit in body["results"]}


async def test_search_honours_the_locale_and_skips_drafts(client: httpx.AsyncClient) -> None:
    polish = (await client.get("/api/v1/kb/search", params={"q": "hasło", "locale": "pl"})).json()
    assert {hit["slug"] for hit in polish["results"]} == {"pl/resetowanie-hasla"}
    secret = (await client.get("/api/v1/kb/search", params={"q": "secret plans"})).json()
    assert "unreleased" not in {hit["slug"] for hit in secret["results"]}


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
async def test_empty_query_is_400(client: httpx.AsyncClient, query: str) -> None:
    _error(await client.get("/api/v1/kb/search", params={"q": query}), 400)


async def test_missing_query_is_400(client: httpx.AsyncClient) -> None:
    _error(await client.get("/api/v1/kb/search"), 400)


@pytest.mark.parametrize("limit", ["abc", "1.5", "0", "-3", "1e3"])
async def test_bad_limit_is_400(client: httpx.AsyncClient, limit: str) -> None:
    _error(await client.get("/api/v1/kb/search", params={"q": "refund", "limit": limit}), 400)


async def test_bad_locale_and_source_are_400(client: httpx.AsyncClient) -> None:
    for params in ({"locale": "../../x"}, {"locale": "e"}, {"source": "bot"}):
        response = await client.get("/api/v1/kb/search", params={"q": "refund", **params})
        _error(response, 400)


@pytest.fixture
def many_articles(settings: Settings) -> None:
    for number in range(60):
        (settings.kb_dir / "bulk" / f"widget-{number}.md").parent.mkdir(exist_ok=True)
        (settings.kb_dir / "bulk" / f"widget-{number}.md").write_text(
            f"---\ntitle: Widget setting {number}\ncategory: Widgets\n---\n\nThe widget knob.\n",
            encoding="utf-8",
        )


async def test_limit_is_capped_at_50(many_articles: None, client: httpx.AsyncClient) -> None:
    capped = await client.get("/api/v1/kb/search", params={"q": "widget", "limit": "1000"})
    assert capped.status_code == 200
    assert len(capped.json()["results"]) == 50
    three = await client.get("/api/v1/kb/search", params={"q": "widget", "limit": "3"})
    assert len(three.json()["results"]) == 3
    default = await client.get("/api/v1/kb/search", params={"q": "widget"})
    assert len(default.json()["results"]) == 5


@pytest.mark.parametrize(
    "query",
    [
        "title:(",
        "*",
        '"unbalanced',
        "!!!???",
        "((( ]]] {{",
        "AND OR NOT",
        "pass*word~2",
        "a" * 10_240,
        "password " * 1200,
        "\x00\x01 reset",
        "'; DROP TABLE search_log; --",
        "<script>alert(1)</script>",
        "🔑🔑🔑",
        "%",
        "\\",
    ],
)
async def test_odd_queries_never_fail(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get("/api/v1/kb/search", params={"q": query})
    assert response.status_code in {200, 400}, response.text
    if response.status_code == 400:
        _error(response, 400)
    else:
        assert isinstance(response.json()["results"], list)


async def test_every_search_is_logged(client: httpx.AsyncClient, settings: Settings) -> None:
    await client.get("/api/v1/kb/search", params={"q": "  Refund  ", "source": "widget"})
    await client.get("/api/v1/kb/search", params={"q": "zzzqqq xxyyzz", "locale": "pl"})
    long_query = "refund " + "x" * 493
    assert len(long_query) == 500
    assert (await client.get("/api/v1/kb/search", params={"q": long_query})).status_code == 200
    refund, nothing, long_row = await _rows(settings, search_log)
    assert refund["query"] == "refund"
    assert refund["source"] == "widget"
    assert refund["locale"] == "en"
    assert refund["result_count"] >= 1
    assert refund["top_score"] > 0
    assert nothing["source"] == "api"
    assert nothing["locale"] == "pl"
    assert nothing["result_count"] == 0
    assert nothing["top_score"] is None
    assert len(long_row["query"]) == 500


async def test_search_as_you_type_refines_one_log_row(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    first = (await client.get("/api/v1/kb/search", params={"q": "re", "source": "widget"})).json()
    refined = await client.get(
        "/api/v1/kb/search",
        params={"q": "refund", "source": "widget", "refines": first["search_id"]},
    )
    assert refined.json()["search_id"] == first["search_id"]
    bogus = await client.get("/api/v1/kb/search", params={"q": "refunds", "refines": "srch_nope"})
    assert bogus.json()["search_id"] != first["search_id"]
    assert [row["query"] for row in await _rows(settings, search_log)] == ["refund", "refunds"]


# ---- articles ----


async def test_article_has_the_protocol_fields(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/kb/articles/reset-password")
    assert response.status_code == 200
    body = response.json()
    assert {"slug", "title", "html", "category", "tags", "updated_at"} <= set(body)
    assert body["slug"] == "reset-password"
    assert body["title"] == "Reset your password"
    assert body["category"] == "Account & login"
    assert body["tags"] == ["password", "login"]
    assert body["updated_at"].endswith("Z")
    assert "<h2" in body["html"]
    assert "<script" not in body["html"]
    assert body["summary"].startswith("Forgot your password")
    assert [h["text"] for h in body["headings"]][:2] == [
        "Steps",
        "Change your password while signed in",
    ]
    assert body["faq"][0]["question"] == "I didn't get the reset email. What now?"
    assert all(set(link) == {"slug", "title", "url"} for link in body["related"])


async def test_slug_with_a_slash_works(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/kb/articles/pl/resetowanie-hasla")
    assert response.status_code == 200
    assert response.json()["locale"] == "pl"


@pytest.mark.parametrize("slug", ["nope", "unreleased", "../reset-password", "reset-password/x"])
async def test_unknown_or_draft_article_is_404(client: httpx.AsyncClient, slug: str) -> None:
    _error(await client.get(f"/api/v1/kb/articles/{slug}"), 404)


# ---- feedback ----


async def test_feedback_is_204_and_stored(client: httpx.AsyncClient, settings: Settings) -> None:
    url = "/api/v1/kb/articles/reset-password/feedback"
    assert (await client.post(url, json={"helpful": True})).status_code == 204
    assert (await client.post(url, json={"helpful": False})).status_code == 204
    polish = "/api/v1/kb/articles/pl/resetowanie-hasla/feedback"
    assert (await client.post(polish, json={"helpful": True})).status_code == 204
    rows = await _rows(settings, kb_feedback)
    assert sorted((r["slug"], r["helpful"]) for r in rows) == [
        ("pl/resetowanie-hasla", True),
        ("reset-password", False),  # the reader changed their mind: one vote, the last
    ]
    assert all("203.0.113.7" not in r["voter"] for r in rows)  # the address is not stored


async def test_an_anonymous_reader_cannot_stuff_the_ballot(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    url = "/api/v1/kb/articles/refunds/feedback"
    for _ in range(40):
        assert (await client.post(url, json={"helpful": True})).status_code == 204
    assert len(await _rows(settings, kb_feedback)) == 1


@pytest.mark.parametrize(
    "body",
    [b"", b"{nope", b"[true]", b'{"helpful": "yes"}', b'{"helpful": 1}', b'{"helpful": null}'],
)
async def test_bad_feedback_is_400(
    client: httpx.AsyncClient, settings: Settings, body: bytes
) -> None:
    response = await client.post("/api/v1/kb/articles/refunds/feedback", content=body)
    _error(response, 400)
    assert await _rows(settings, kb_feedback) == []


async def test_feedback_on_an_unknown_article_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/kb/articles/nope/feedback", json={"helpful": True})
    _error(response, 404)


async def test_a_visitors_second_vote_replaces_the_first(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = (await client.post("/api/v1/visitors")).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/kb/articles/refunds/feedback"
    await client.post(url, json={"helpful": False}, headers=headers)
    await client.post(url, json={"helpful": True}, headers=headers)
    rows = await _rows(settings, kb_feedback)
    assert [(r["helpful"], r["visitor_id"] is not None) for r in rows] == [(True, True)]
    forged = await client.post(
        url, json={"helpful": True}, headers={"Authorization": "Bearer forged"}
    )
    _error(forged, 401)


# ---- clicks and popular ----


async def test_click_marks_the_search(client: httpx.AsyncClient, settings: Settings) -> None:
    searched = (await client.get("/api/v1/kb/search", params={"q": "refund"})).json()
    click = await client.post(
        "/api/v1/kb/searches/click", json={"query": "Refund", "slug": "refunds"}
    )
    assert click.status_code == 204
    by_id = await client.post(
        "/api/v1/kb/searches/click",
        json={"search_id": searched["search_id"], "slug": "invoices"},
    )
    assert by_id.status_code == 204  # already credited: accepted, changes nothing
    (row,) = await _rows(settings, search_log)
    assert row["clicked_slug"] == "refunds"


async def test_bad_clicks(client: httpx.AsyncClient) -> None:
    url = "/api/v1/kb/searches/click"
    _error(await client.post(url, json={"query": "refund", "slug": "nope"}), 404)
    _error(await client.post(url, json={"slug": "refunds"}), 400)
    _error(await client.post(url, json={"query": "refund"}), 400)
    _error(await client.post(url, json={"query": 5, "slug": "refunds"}), 400)


async def test_popular_prefers_what_readers_chose(client: httpx.AsyncClient) -> None:
    default = (await client.get("/api/v1/kb/popular")).json()
    assert default["locale"] == "en"
    slugs = [item["slug"] for item in default["results"]]
    assert "unreleased" not in slugs
    assert "pl/resetowanie-hasla" not in slugs
    assert set(default["results"][0]) >= {"slug", "title", "url", "category", "summary"}
    for _ in range(2):
        await client.get("/api/v1/kb/search", params={"q": "invoice"})
        await client.post(
            "/api/v1/kb/searches/click", json={"query": "invoice", "slug": "invoices"}
        )
    ranked = (await client.get("/api/v1/kb/popular", params={"limit": "2"})).json()
    assert ranked["results"][0]["slug"] == "invoices"
    assert len(ranked["results"]) == 2
    polish = (await client.get("/api/v1/kb/popular", params={"locale": "pl"})).json()
    assert [item["slug"] for item in polish["results"]] == ["pl/resetowanie-hasla"]


# ---- CORS ----


async def test_any_origin_may_call_the_kb_api(client: httpx.AsyncClient) -> None:
    origin = {"Origin": "https://shop.example"}
    search = await client.get("/api/v1/kb/search", params={"q": "refund"}, headers=origin)
    assert search.headers["access-control-allow-origin"] == "*"
    failed = await client.get("/api/v1/kb/search", params={"q": " "}, headers=origin)
    assert failed.status_code == 400
    assert failed.headers["access-control-allow-origin"] == "*"
    preflight = await client.options(
        "/api/v1/kb/articles/refunds/feedback",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    console_api = await client.get("/api/v1/auth/me", headers=origin)
    assert "access-control-allow-origin" not in console_api.headers


async def test_listed_origins_are_echoed_and_others_refused(settings: Settings) -> None:
    listed = settings.with_overrides(allowed_origins=("https://shop.example",))
    async with _client_for(listed) as http:
        allowed = await http.get("/api/v1/kb/popular", headers={"Origin": "https://shop.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        assert "origin" in allowed.headers["vary"].lower()
        stranger = await http.get("/api/v1/kb/popular", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers
        preflight = await http.options(
            "/api/v1/kb/searches/click",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 400


async def test_kb_survives_a_missing_kb_dir(tmp_path: Path, settings: Settings) -> None:
    empty = settings.with_overrides(kb_dir=tmp_path / "no-such-kb")
    async with _client_for(empty) as http:
        assert (await http.get("/healthz")).status_code == 200
        body = (await http.get("/api/v1/kb/search", params={"q": "refund"})).json()
        assert body["results"] == []
