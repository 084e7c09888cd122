"""The admin API and pages: admins only, CSRF on writes, bad input changes nothing, and the
rules that keep a team able to work (one enabled admin, disabled means signed out)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from parley.app import create_app
from parley.config import Settings
from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import ChatClient, agent_client, agent_token

MakeAgent = Callable[..., Awaitable[str]]
API = "/api/v1/console/admin"
NEW_AGENT = {
    "name": "Nina <b>New</b>",
    "email": "nina@example.com",
    "password": "a long enough password",
    "role": "agent",
    "capacity": 5,
}


@pytest.fixture
async def browsers(settings: Settings) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """Separate cookie jars against one app: an admin's browser and an agent's."""
    app = create_app(settings)
    opened: list[httpx.AsyncClient] = []

    def new_browser() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://parley.test"))
        return opened[-1]

    async with app.router.lifespan_context(app):
        yield new_browser
        for browser in opened:
            await browser.aclose()


async def _admin(client: httpx.AsyncClient, make_agent: MakeAgent) -> dict[str, str]:
    return {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent("Ada", "admin"))}


async def _agents(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/agents")
    assert response.status_code == 200
    agents: list[dict[str, Any]] = response.json()["agents"]
    return agents


async def test_an_admin_creates_an_agent_who_can_then_sign_in(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    team = await client.post(f"{API}/teams", json={"name": "Billing"}, headers=headers)
    assert team.status_code == 201
    body = {**NEW_AGENT, "team_ids": [team.json()["id"]]}
    created = await client.post(f"{API}/agents", json=body, headers=headers)
    assert created.status_code == 201
    agent = created.json()
    assert agent["name"] == "Nina <b>New</b>"  # stored as typed; the page escapes it
    assert (agent["capacity"], agent["team_ids"], agent["disabled"]) == (
        5,
        [team.json()["id"]],
        False,
    )
    assert "password" not in str(agent)
    assert "hash" not in str(agent)
    assert [a["email"] for a in await _agents(client)] == ["ada@example.com", "nina@example.com"]

    login = {"email": "nina@example.com", "password": NEW_AGENT["password"]}
    signed_in = await client.post("/api/v1/auth/login", json=login)
    assert signed_in.status_code == 200
    assert signed_in.json()["agent"]["role"] == "agent"


async def test_an_admin_changes_role_capacity_and_teams(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    agent = (await client.post(f"{API}/agents", json=NEW_AGENT, headers=headers)).json()
    support = agent["team_ids"]  # without teams given: the default team
    assert len(support) == 1
    billing = (await client.post(f"{API}/teams", json={"name": "Billing"}, headers=headers)).json()
    changes = {"role": "admin", "capacity": 8, "team_ids": [billing["id"], *support]}
    updated = await client.patch(f"{API}/agents/{agent['id']}", json=changes, headers=headers)
    assert updated.status_code == 200
    nina = next(a for a in await _agents(client) if a["id"] == agent["id"])
    assert (nina["role"], nina["capacity"]) == ("admin", 8)
    assert sorted(nina["team_ids"]) == sorted([billing["id"], *support])


async def test_agents_and_strangers_are_refused_everything(
    browsers: Callable[[], httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    stranger, agent = browsers(), browsers()
    csrf = await signed_in_with_csrf(agent, await make_agent("Sam"))
    reads = ["/agents", "/teams", "/settings"]
    writes = [
        ("POST", "/agents", NEW_AGENT),
        ("PATCH", "/agents/agt_x", {"disabled": True}),
        ("POST", "/teams", {"name": "Sneaky"}),
        ("PATCH", "/teams/team_x", {"name": "Sneaky"}),
        ("PUT", "/settings", {"allowed_origins": "https://evil.example"}),
    ]
    for path in reads:
        assert (await stranger.get(API + path)).status_code == 401
        refused = await agent.get(API + path)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "admins_only"
    for method, path, body in writes:
        assert (await stranger.request(method, API + path, json=body)).status_code == 401
        headers = {"X-CSRF-Token": csrf}
        refused = await agent.request(method, API + path, json=body, headers=headers)
        assert refused.status_code == 403, (method, path)
    admin = browsers()
    await _admin(admin, make_agent)
    assert [a["name"] for a in await _agents(admin)] == ["Sam", "Ada"]
    settings = (await admin.get(f"{API}/settings")).json()["settings"]
    assert settings["allowed_origins"]["value"] == "*"


async def test_admin_pages_are_for_admins_only(
    browsers: Callable[[], httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    stranger, agent, admin = browsers(), browsers(), browsers()
    await signed_in_with_csrf(agent, await make_agent("Sam"))
    await _admin(admin, make_agent)
    for section in ("agents", "teams", "hours", "widget"):
        path = f"/console/admin/{section}"
        away = await stranger.get(path)
        assert (away.status_code, away.headers["location"]) == (303, "/console/login")
        refused = await agent.get(path)
        assert refused.status_code == 403
        assert "Admins only" in refused.text
        assert "agent-form" not in refused.text
        shown = await admin.get(path)
        assert shown.status_code == 200
        assert f'data-section="{section}"' in shown.text
    assert (await admin.get("/console/admin/secrets")).status_code == 404
    assert 'href="/console/admin/agents"' in (await admin.get("/console")).text
    assert "/console/admin" not in (await agent.get("/console")).text


async def test_writes_need_the_csrf_header(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    missing = await client.post(f"{API}/agents", json=NEW_AGENT)
    assert (missing.status_code, missing.json()["error"]["code"]) == (403, "csrf")
    forged = {"X-CSRF-Token": headers["X-CSRF-Token"][:-2] + "xx"}
    assert (await client.post(f"{API}/agents", json=NEW_AGENT, headers=forged)).status_code == 403
    put = await client.put(f"{API}/settings", json={"widget_color": "#000000"})
    assert put.status_code == 403
    assert len(await _agents(client)) == 1
    settings = (await client.get(f"{API}/settings")).json()["settings"]
    assert settings["widget_color"]["source"] == "environment"


@pytest.mark.parametrize(
    "change",
    [
        {"capacity": 0},
        {"capacity": "5"},
        {"role": "owner"},
        {"password": "short"},
        {"email": "not-an-email"},
        {"name": " "},
        {"team_ids": ["team_missing"]},
    ],
)
async def test_a_bad_agent_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, make_agent: MakeAgent, change: dict[str, object]
) -> None:
    headers = await _admin(client, make_agent)
    refused = await client.post(f"{API}/agents", json={**NEW_AGENT, **change}, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"]
    assert len(await _agents(client)) == 1


async def test_a_bad_update_changes_nothing(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    agent = (await client.post(f"{API}/agents", json=NEW_AGENT, headers=headers)).json()
    url = f"{API}/agents/{agent['id']}"
    for bad in ({"capacity": 3, "team_ids": ["team_missing"]}, {"disabled": "yes"}):
        assert (await client.patch(url, json=bad, headers=headers)).status_code == 400
    assert (
        await client.patch(f"{API}/agents/agt_missing", json={}, headers=headers)
    ).status_code == 404
    nina = next(a for a in await _agents(client) if a["id"] == agent["id"])
    assert (nina["capacity"], nina["team_ids"]) == (5, agent["team_ids"])


async def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    ada = (await _agents(client))[0]
    url = f"{API}/agents/{ada['id']}"
    for change in ({"disabled": True}, {"role": "agent"}):
        refused = await client.patch(url, json=change, headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "last_admin")
    second = {**NEW_AGENT, "role": "admin"}
    bea = (await client.post(f"{API}/agents", json=second, headers=headers)).json()
    bea_url = f"{API}/agents/{bea['id']}"
    assert (
        await client.patch(bea_url, json={"disabled": True}, headers=headers)
    ).status_code == 200
    # A disabled admin does not count: Ada is still the last enabled one.
    assert (await client.patch(url, json={"role": "agent"}, headers=headers)).status_code == 409
    assert (
        await client.patch(bea_url, json={"disabled": False}, headers=headers)
    ).status_code == 200
    demoted = await client.patch(url, json={"role": "agent"}, headers=headers)
    assert (demoted.status_code, demoted.json()["role"]) == (200, "agent")
    # Demoting ends Ada's session; signed in again, she is an agent and refused here.
    assert (await client.get(f"{API}/agents")).status_code == 401
    await signed_in_with_csrf(client, "ada@example.com")
    assert (await client.get(f"{API}/agents")).status_code == 403


async def test_disabling_an_agent_ends_their_session(
    browsers: Callable[[], httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    admin, agent = browsers(), browsers()
    headers = await _admin(admin, make_agent)
    await signed_in_with_csrf(agent, await make_agent("Sam"))
    assert (await agent.get("/api/v1/auth/me")).status_code == 200
    sam = next(a for a in await _agents(admin) if a["name"] == "Sam")
    url = f"{API}/agents/{sam['id']}"
    assert (await admin.patch(url, json={"disabled": True}, headers=headers)).status_code == 200
    assert (await agent.get("/api/v1/auth/me")).status_code == 401
    assert (await agent.get("/console")).headers["location"] == "/console/login"
    refused = await agent.post(
        "/api/v1/auth/login", json={"email": "sam@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 401
    # Enabled again, the old session stays revoked: Sam signs in afresh.
    assert (await admin.patch(url, json={"disabled": False}, headers=headers)).status_code == 200
    assert (await agent.get("/api/v1/auth/me")).status_code == 401
    await signed_in_with_csrf(agent, "sam@example.com")
    assert (await agent.get("/api/v1/auth/me")).status_code == 200


async def test_teams_are_created_renamed_and_staffed(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    agent = (await client.post(f"{API}/agents", json=NEW_AGENT, headers=headers)).json()
    created = await client.post(
        f"{API}/teams", json={"name": "Polski", "locale": "pl"}, headers=headers
    )
    assert created.status_code == 201
    team_url = f"{API}/teams/{created.json()['id']}"
    changes = {"name": "Poland", "locale": "pl-PL", "member_ids": [agent["id"]]}
    updated = await client.patch(team_url, json=changes, headers=headers)
    assert updated.status_code == 200
    teams = {t["name"]: t for t in (await client.get(f"{API}/teams")).json()["teams"]}
    assert (teams["Poland"]["locale"], teams["Poland"]["member_ids"]) == ("pl-PL", [agent["id"]])
    again = await client.post(f"{API}/teams", json={"name": "Poland"}, headers=headers)
    assert again.status_code == 409
    bad_member = await client.patch(team_url, json={"member_ids": ["agt_missing"]}, headers=headers)
    assert bad_member.status_code == 400
    support = await client.patch(
        f"{API}/teams/{teams['Support']['id']}", json={"name": "Helpdesk"}, headers=headers
    )
    assert support.status_code == 400  # routing sends new conversations to the default team
    teams_after = {t["name"]: t for t in (await client.get(f"{API}/teams")).json()["teams"]}
    assert {name: t["default"] for name, t in teams_after.items()} == {
        "Poland": False,
        "Support": True,
    }
    assert teams_after["Poland"]["member_ids"] == [agent["id"]]


async def _closed_with(client: ChatClient) -> int | None:
    """Read until the server closes the socket; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await client.receive(within=5)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_disabling_or_demoting_closes_open_consoles(
    live_url: str, make_agent: MakeAgent
) -> None:
    sam_email, bea_email = await make_agent("Sam"), await make_agent("Bea", "admin")
    sam, _ = await agent_client(live_url, await agent_token(live_url, sam_email, PASSWORD))
    bea, _ = await agent_client(live_url, await agent_token(live_url, bea_email, PASSWORD))
    async with httpx.AsyncClient(base_url=live_url) as admin:
        headers = await _admin(admin, make_agent)
        ids = {a["name"]: a["id"] for a in await _agents(admin)}
        capacity = await admin.patch(
            f"{API}/agents/{ids['Sam']}", json={"capacity": 4}, headers=headers
        )
        assert capacity.status_code == 200
        await sam.collect(0.3)  # a change that revokes nothing leaves the socket open
        disabled = {"disabled": True}
        assert (
            await admin.patch(f"{API}/agents/{ids['Sam']}", json=disabled, headers=headers)
        ).is_success
        demoted = {"role": "agent"}
        assert (
            await admin.patch(f"{API}/agents/{ids['Bea']}", json=demoted, headers=headers)
        ).is_success
    assert await _closed_with(sam) == 4401
    assert await _closed_with(bea) == 4401
