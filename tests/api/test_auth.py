"""``/api/v1/auth``: the login contract of PROTOCOL.md, cookies, throttling."""

from __future__ import annotations

import asyncio
import json

import httpx

from parley.app import create_app
from parley.config import Settings
from parley.db import Database
from parley.identity.agents import create_agent

JSON = {"Content-Type": "application/json"}
CREDENTIALS = {"email": "ann@example.com", "password": "correct horse"}


async def _agent(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    await create_agent(db, email="ann@example.com", name="Ann", password="correct horse")
    await db.close()


async def test_login_returns_token_agent_and_session_cookie(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _agent(settings)
    response = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": "correct horse"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "agent"}
    assert body["agent"]["email"] == "ann@example.com"
    assert set(body["agent"]) == {"id", "name", "email", "role"}
    cookie = response.headers["set-cookie"]
    assert "parley_session=" in cookie
    assert "HttpOnly" in cookie
    me = await client.get("/api/v1/auth/me")  # the cookie alone signs the console in
    assert me.json()["agent"]["id"] == body["agent"]["id"]
    client.cookies.clear()  # the bearer token alone signs an API client in
    bearer = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert bearer.status_code == 200


async def test_wrong_password_is_401_in_the_error_shape(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _agent(settings)
    response = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": "wrong horse"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert "set-cookie" not in response.headers


async def test_malformed_bodies_are_400(client: httpx.AsyncClient) -> None:
    for body in [b"{not json", b"[1, 2]", b'{"email": "a@example.com"}', b'{"email": 5}']:
        response = await client.post("/api/v1/auth/login", content=body, headers=JSON)
        assert response.status_code == 400, body
        assert response.json()["error"]["message"]


async def test_repeated_failures_end_in_429_with_retry_after(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _agent(settings)
    attempts = [
        await client.post(
            "/api/v1/auth/login", json={"email": "ann@example.com", "password": f"guess {n}"}
        )
        for n in range(settings.login_max_failures + 1)
    ]
    assert [r.status_code for r in attempts[:-1]] == [401] * settings.login_max_failures
    assert attempts[-1].status_code == 429
    assert int(attempts[-1].headers["retry-after"]) > 0


async def test_signed_out_requests_are_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    forged = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401


async def test_concurrent_guesses_get_no_more_than_the_allowance(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _agent(settings)
    wrong = {"email": "ann@example.com", "password": "wrong horse"}
    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/login", json=wrong) for _ in range(40))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * settings.login_max_failures + [429] * (
        40 - settings.login_max_failures
    )


async def test_a_page_elsewhere_cannot_sign_a_browser_in(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Login CSRF: a form on another site posting the attacker's credentials as text/plain."""
    await _agent(settings)
    body = json.dumps(CREDENTIALS)
    for headers, status in [
        ({"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({**JSON, "Sec-Fetch-Site": "cross-site"}, 403),
        ({**JSON, "Origin": "null"}, 403),
    ]:
        response = await client.post("/api/v1/auth/login", content=body, headers=headers)
        assert response.status_code == status, headers
        assert "set-cookie" not in response.headers
    same_origin = {**JSON, "Origin": "http://parley.test", "Sec-Fetch-Site": "same-origin"}
    signed_in = await client.post("/api/v1/auth/login", content=body, headers=same_origin)
    assert signed_in.status_code == 200


async def test_logout_ends_the_session_on_the_server_and_refuses_cross_site(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _agent(settings)
    token = (await client.post("/api/v1/auth/login", json=CREDENTIALS)).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    cross_site = {**JSON, "Origin": "https://evil.example"}
    assert (await client.post("/api/v1/auth/logout", headers=cross_site)).status_code == 403
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", json={})).status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 401


async def test_a_trusted_proxys_forwarded_for_names_the_client(settings: Settings) -> None:
    """Behind a configured proxy each client is limited on its own address, not the proxy's."""
    app = create_app(settings.with_overrides(trusted_proxies=("203.0.113.0/24",)))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    wrong = {"email": "ann@example.com", "password": "wrong horse"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://parley.test") as proxy,
    ):
        guesser = {"X-Forwarded-For": "198.51.100.1"}
        for _ in range(settings.login_max_failures):
            await proxy.post("/api/v1/auth/login", json=wrong, headers=guesser)
        assert (
            await proxy.post("/api/v1/auth/login", json=wrong, headers=guesser)
        ).status_code == 429
        other = {"X-Forwarded-For": "198.51.100.2"}
        assert (
            await proxy.post("/api/v1/auth/login", json=wrong, headers=other)
        ).status_code == 401
