"""Stylesheet caching, article images (and every way out of the KB dir), sitemap, robots."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from parley.app import create_app
from parley.config import Settings
from tests.helpcenter.sample_kb import PNG


async def test_stylesheet_is_versioned_and_cached_for_long(client: httpx.AsyncClient) -> None:
    page = (await client.get("/help")).text
    match = re.search(r'href="(/help/static/helpcenter\.css\?v=[0-9a-f]+)"', page)
    assert match
    css = await client.get(match.group(1))
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "max-age=31536000" in css.headers["cache-control"]
    assert "prefers-color-scheme: dark" in css.text


async def test_article_image_is_served_with_nosniff(client: httpx.AsyncClient) -> None:
    response = await client.get("/help/assets/account/images/reset-form.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == PNG


@pytest.mark.parametrize(
    "path",
    [
        "/help/assets/%2e%2e/%2e%2e/etc/passwd",
        "/help/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/help/assets/%2e%2e%2foutside.png",
        "/help/assets/..%2Foutside.png",
        "/help/assets/account/..%2F..%2Foutside.png",
        "/help/assets/%2Fetc%2Fpasswd",
        "/help/assets//etc/passwd",
        "/help/assets/..%5coutside.png",
        "/help/assets/.private/hidden.png",
        "/help/assets/notes.txt",
        "/help/assets/account/fake.svg",
        "/help/assets/account/reset-password.md",
        "/help/assets/account/images/link.png",
        "/help/assets/",
    ],
)
async def test_nothing_outside_the_kb_images_is_served(
    client: httpx.AsyncClient, settings: Settings, path: str
) -> None:
    (settings.kb_dir / "account" / "images" / "link.png").symlink_to(
        settings.kb_dir.parent / "outside.png"
    )
    response = await client.get(path)
    assert response.status_code == 404, path
    assert response.headers["content-type"].startswith("text/html")
    assert PNG not in response.content
    assert b"root:" not in response.content


async def _raw_get(app: Any, raw_path: bytes) -> int:
    """Send a path exactly as given: HTTP clients remove literal ``..`` segments first."""
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    path = raw_path.decode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": raw_path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"parley.test")],
        "client": ("203.0.113.7", 5000),
        "server": ("parley.test", 80),
        "app": app,
    }
    await app(scope, receive, send)
    return statuses[0]


async def test_literal_dot_dot_is_refused(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        for raw in (b"/help/assets/../../etc/passwd", b"/help/assets/../outside.png"):
            assert await _raw_get(app, raw) == 404, raw


async def test_sitemap_lists_every_published_article(client: httpx.AsyncClient) -> None:
    response = await client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    xml = response.text
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<loc>http://parley.test/help/articles/reset-password</loc>" in xml
    assert "<loc>http://parley.test/help/articles/pl/resetowanie-hasla</loc>" in xml
    assert "<loc>http://parley.test/help/c/billing</loc>" in xml
    assert "unreleased" not in xml
    assert re.search(r"<lastmod>\d{4}-\d{2}-\d{2}</lastmod>", xml)


async def test_robots_points_at_the_sitemap(client: httpx.AsyncClient) -> None:
    response = await client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://parley.test/sitemap.xml" in response.text
    assert "Disallow: /api/" in response.text


async def test_a_forged_host_header_never_reaches_a_link(client: httpx.AsyncClient) -> None:
    """Links others are shown (canonical, og:url, sitemap, robots) come from PARLEY_PUBLIC_URL:
    a cache in front would otherwise keep a page pointing at the attacker's host."""
    forged = {"Host": "evil.example"}
    for path in ("/help", "/help/articles/reset-password", "/sitemap.xml", "/robots.txt"):
        response = await client.get(path, headers=forged)
        assert response.status_code == 200, path
        assert "evil.example" not in response.text, path
        assert "http://parley.test/" in response.text, path


async def test_help_center_pages_carry_a_content_security_policy(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/help/articles/reset-password")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.text  # nothing inline for the policy to forbid
    script = await client.get("/help/static/helpcenter.js")
    assert script.headers["content-type"].startswith("text/javascript")
