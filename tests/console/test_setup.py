"""First run: the first admin made in the browser with the setup token from the server's log."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from parley.config import Settings
from parley.db import Database
from parley.errors import Conflict
from parley.identity import setup as first_run
from parley.identity import store
from parley.identity.agents import create_agent
from tests.conftest import PASSWORD
from tests.console.forms import csrf_token

MakeAgent = Callable[..., Awaitable[str]]


def logged_setup_url(caplog: pytest.LogCaptureFixture) -> str:
    records = [*caplog.get_records("setup"), *caplog.records]  # logged as a fixture started
    lines = list({r.getMessage() for r in records if r.name == "parley.setup"})
    assert len(lines) == 1, lines
    found = re.search(r"http://\S+(/console/setup\?token=(\w+))", lines[0])
    assert found, lines[0]
    return found.group(1)


@pytest.fixture
async def fresh(settings: Settings, caplog: pytest.LogCaptureFixture) -> AsyncIterator[
    tuple[httpx.AsyncClient, str]
]:  # fmt: skip
    """The app started on an empty database, and the setup address its log printed."""
    from parley.app import create_app

    caplog.set_level(logging.WARNING, logger="parley.setup")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield http, logged_setup_url(caplog)


def form(setup_token: str, csrf: str, **changes: str) -> dict[str, str]:
    fields = {"token": setup_token, "name": "Olga Owner", "email": "olga@example.com"}
    return {**fields, "password": PASSWORD, "repeat": PASSWORD, "csrf_token": csrf, **changes}


async def test_first_run_creates_the_first_admin_and_closes_for_good(
    fresh: tuple[httpx.AsyncClient, str],
) -> None:
    client, url = fresh
    token = url.rsplit("=", 1)[1]
    opened = await client.get("/console")
    assert (opened.status_code, opened.headers["location"]) == (303, "/console/setup")
    page = await client.get(url)
    assert page.status_code == 200
    assert "Create the first admin" in page.text
    assert f'value="{token}"' in page.text  # the link from the log fills the token in
    created = await client.post("/console/setup", data=form(token, await csrf_token(client, url)))
    assert (created.status_code, created.headers["location"]) == (303, "/console")
    console = await client.get("/console")
    assert console.status_code == 200
    assert 'data-agent-role="admin"' in console.text
    assert "Olga Owner" in console.text
    # Closed for good: neither the page nor a second post (same token) makes another admin.
    assert (await client.get(url)).status_code == 404
    again = await client.post(
        "/console/setup",
        data=form(token, await csrf_token(client, "/console"), email="mallory@example.com"),
    )
    assert again.status_code == 404
    assert "Parley is set up" in again.text
    client.cookies.clear()
    assert (await client.get("/console")).headers["location"] == "/console/login"


async def test_a_wrong_token_or_bad_fields_are_explained_beside_the_field(
    fresh: tuple[httpx.AsyncClient, str],
) -> None:
    client, url = fresh
    token = url.rsplit("=", 1)[1]
    cases = [
        ({"token": "guessed"}, 403, "token", "That is not the setup token"),
        ({"email": "olga"}, 400, "email", "Type an email address"),
        ({"name": "  "}, 400, "name", "Type your name"),
        ({"password": "short", "repeat": "short"}, 400, "password", "at least 8 characters"),
        ({"repeat": "something else"}, 400, "repeat", "The two passwords differ"),
    ]
    for changes, status, field, words in cases:
        answer = await client.post(
            "/console/setup", data=form(token, await csrf_token(client, url), **changes)
        )
        assert answer.status_code == status, changes
        error = re.search(
            rf'<p class="field-error" id="setup-{field}-error">([^<]+)</p>', answer.text
        )
        assert error, (changes, answer.text)
        assert words in error.group(1), changes
        assert re.search(rf'id="setup-{field}"[^>]*aria-invalid="true"', answer.text), changes
    no_csrf = await client.post("/console/setup", data=form(token, "forged"))
    assert no_csrf.status_code == 403
    assert (await client.get("/console")).headers["location"] == "/console/setup"  # nobody made


async def test_with_an_admin_already_the_page_is_closed_and_the_log_is_quiet(
    settings: Settings, make_agent: MakeAgent, caplog: pytest.LogCaptureFixture
) -> None:
    from parley.app import create_app

    migrated = Database(settings.resolved_database_url)
    await migrated.upgrade()
    await migrated.close()
    await make_agent("Ann", role="admin")  # made with the CLI's function before the start
    caplog.set_level(logging.WARNING, logger="parley.setup")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            token = first_run.setup_token(settings.signing_key())
            assert (await http.get(f"/console/setup?token={token}")).status_code == 404
            assert (await http.get("/console")).headers["location"] == "/console/login"
    assert not [r for r in caplog.records if r.name == "parley.setup"]


async def test_only_one_of_two_simultaneous_first_admins_is_made(db: Database) -> None:
    """On both backends: the check and the insert are one decision."""
    attempts = [
        create_agent(
            db,
            email=f"first{n}@example.com",
            name=f"First {n}",
            password=PASSWORD,
            role="admin",
            only_if_no_admin=True,
        )
        for n in range(4)
    ]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(made), len(refused)) == (1, 3), results
    assert [a.email for a in await store.list_agents(db)] == [made[0].email]
    assert await first_run.setup_open(db) is False
