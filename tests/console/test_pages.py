"""Console sign-in, sign-out and the page itself, in-process over httpx."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from parley.identity.tokens import SESSION_COOKIE
from tests.conftest import PASSWORD
from tests.console.forms import csrf_token, sign_in

MakeAgent = Callable[..., Awaitable[str]]
STATIC = Path(__file__).resolve().parents[2] / "server" / "parley" / "console" / "static"


async def test_login_page_has_a_csrf_field_and_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/login")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text
    assert "parley_csrf" in response.cookies
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "connect-src 'self' ws: wss:" in csp
    assert "img-src 'self' blob: data:" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_login_without_or_with_a_wrong_csrf_token_is_refused(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    email = await make_agent()
    await csrf_token(client)  # the browser holds a nonce cookie
    for extra in ({}, {"csrf_token": "forged"}):
        response = await client.post(
            "/console/login", data={"email": email, "password": PASSWORD, **extra}
        )
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.cookies


async def test_a_token_from_another_browser_is_refused(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    email = await make_agent()
    token = await csrf_token(client)
    client.cookies.set("parley_csrf", "someone-elses-nonce")
    response = await client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


async def test_right_credentials_redirect_to_the_console_with_a_session(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    email = await make_agent()
    response = await sign_in(client, email)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    assert response.cookies.get(SESSION_COOKIE)
    me = await client.get("/api/v1/auth/me")
    assert me.json()["agent"]["email"] == email
    page = await client.get("/console")
    assert page.status_code == 200
    assert 'type="module"' in page.text
    assert page.headers["x-frame-options"] == "DENY"


async def test_wrong_credentials_rerender_the_form_with_401(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    email = await make_agent()
    token = await csrf_token(client)
    response = await client.post(
        "/console/login", data={"email": email, "password": "nope nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert SESSION_COOKIE not in response.cookies
    assert f'value="{email}"' in response.text


async def test_repeated_failures_show_the_429_page(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    form = {"email": "who@example.com", "password": "wrong", "csrf_token": token}
    statuses = [(await client.post("/console/login", data=form)).status_code for _ in range(11)]
    assert statuses[0] == 401
    assert statuses[-1] == 429


async def test_the_console_redirects_to_sign_in_when_signed_out(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    await make_agent()  # with nobody at all, /console opens on the first-run page instead
    response = await client.get("/console")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"
    client.cookies.set(SESSION_COOKIE, "forged")
    assert (await client.get("/console")).status_code == 303


async def test_logout_needs_the_csrf_token_of_the_session(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    email = await make_agent()
    login_token = await csrf_token(client)
    await sign_in(client, email)
    stale = await client.post("/console/logout", data={"csrf_token": login_token})
    assert stale.status_code == 403  # a token minted before sign-in is bound to no session
    token = await csrf_token(client, "/console")
    session = client.cookies["parley_session"]
    response = await client.post("/console/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"
    assert (await client.get("/console")).status_code == 303
    client.cookies.clear()  # the old session token, kept by someone, is dead on the server
    replayed = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {session}"})
    assert replayed.status_code == 401


async def test_static_files_are_served_and_unknown_ones_are_not(client: httpx.AsyncClient) -> None:
    script = await client.get("/console/static/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert (await client.get("/console/static/nope.js")).status_code == 404


async def test_the_design_tokens_and_icons_are_served_to_every_page(
    client: httpx.AsyncClient,
) -> None:
    tokens = await client.get("/console/static/tokens.css")
    assert tokens.headers["content-type"].startswith("text/css")
    assert "--color-surface" in tokens.text
    assert "prefers-color-scheme: dark" in tokens.text
    assert re.search(
        r'href="/console/static/tokens.css\?v=\w+"', (await client.get("/console/login")).text
    )
    icon = await client.get("/console/static/icons/send.svg")
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["x-content-type-options"] == "nosniff"
    css = (await client.get("/console/static/console.css")).text
    for name in re.findall(r"url\(icons/([\w-]+\.svg)\)", css):  # every icon drawn exists
        assert (await client.get(f"/console/static/icons/{name}")).status_code == 200, name
    assert (STATIC / "icons" / "LICENSE").read_text().startswith("ISC License")
    help_css_url = re.search(
        r'href="(/help/static/helpcenter\.css\?v=\w+)"', (await client.get("/help")).text
    )
    assert help_css_url, "the help center links its stylesheet"
    help_css = (await client.get(help_css_url.group(1))).text
    assert help_css.startswith(tokens.text)  # the same tokens, ahead of the help center's rules


def _import_map(html: str) -> str:
    found = re.search(r'<script type="importmap">(.*?)</script>', html, re.DOTALL)
    assert found, "the page has no import map"
    return found.group(1)


async def test_every_module_is_imported_at_the_hash_of_its_content(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    await sign_in(client, await make_agent(role="admin"))
    modules = sorted(path.name for path in STATIC.glob("*.js"))
    entries = {"/console": "app.js", "/console/admin/labels": "admin.js", "/console/login": None}
    for path, entry in entries.items():
        response = await client.get(path)
        assert response.status_code == 200, path
        source = _import_map(response.text)
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"script-src 'self' 'sha256-{digest}'" in response.headers["content-security-policy"]
        imports = json.loads(source)["imports"]
        assert sorted(imports) == [f"/console/static/{name}" for name in modules]
        for plain, hashed in imports.items():
            content = (STATIC / plain.rsplit("/", 1)[1]).read_bytes()
            assert hashed == f"{plain}?v={hashlib.sha256(content).hexdigest()[:16]}"
        loaded = re.findall(r'<script type="module" src="([^"]+)"', response.text)
        assert loaded == ([imports[f"/console/static/{entry}"]] if entry else [])


async def test_only_the_current_hash_is_cached_for_good(client: httpx.AsyncClient) -> None:
    version = hashlib.sha256((STATIC / "http.js").read_bytes()).hexdigest()[:16]
    current = await client.get(f"/console/static/http.js?v={version}")
    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
    for stale in ("/console/static/http.js", "/console/static/http.js?v=0123456789abcdef"):
        response = await client.get(stale)
        assert response.status_code == 200
        assert response.content == current.content
        assert response.headers["cache-control"] == "no-cache"  # revalidated on every use
    revalidated = await client.get(
        "/console/static/http.js", headers={"If-None-Match": current.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.content == b""


async def test_agents_and_teams_for_transfers(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    assert (await client.get("/api/v1/console/agents")).status_code == 401
    email = await make_agent()
    await make_agent("Bob")
    await sign_in(client, email)
    body = (await client.get("/api/v1/console/agents")).json()
    assert sorted(agent["name"] for agent in body["agents"]) == ["Ann", "Bob"]
    assert "password_hash" not in body["agents"][0]
    assert isinstance(body["teams"], list)
