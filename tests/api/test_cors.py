"""CORS: the widget's endpoints answer allowed origins; the console's API never does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from parley.app import create_app
from parley.config import Settings

SHOP = "https://shop.example"


@pytest.fixture
async def restricted(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.with_overrides(allowed_origins=(SHOP,)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield http


async def test_an_allowed_site_may_create_a_visitor(restricted: httpx.AsyncClient) -> None:
    preflight = await restricted.options(
        "/api/v1/visitors",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == SHOP
    created = await restricted.post("/api/v1/visitors", json={}, headers={"Origin": SHOP})
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == SHOP


async def test_other_sites_and_the_console_api_get_no_cors(restricted: httpx.AsyncClient) -> None:
    other = await restricted.post(
        "/api/v1/visitors", json={}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
    login = await restricted.post(
        "/api/v1/auth/login", json={"email": "a@b.co", "password": "x"}, headers={"Origin": SHOP}
    )
    assert "access-control-allow-origin" not in login.headers
