"""Filling the console's forms over httpx, the way a browser would."""

from __future__ import annotations

import re

import httpx

from tests.conftest import PASSWORD


async def csrf_token(client: httpx.AsyncClient, path: str = "/console/login") -> str:
    response = await client.get(path)
    assert response.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )


async def signed_in_with_csrf(client: httpx.AsyncClient, email: str) -> str:
    """Sign in; the console page's CSRF token for JSON writes (``X-CSRF-Token``)."""
    assert (await sign_in(client, email)).status_code == 303
    page = await client.get("/console")
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert found, "the console page has no CSRF meta tag"
    return found.group(1)
