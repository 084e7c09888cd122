"""The admin API and pages: admins only, CSRF on writes, bad input changes nothing, and the
rules that keep a team able to work (one enabled admin, disabled means signed out)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from parley.bus.memory import MemoryBus
from parley.config import Settings
from parley.conversation.store import conversation_by_id, update_conversation
from parley.db import Database
from parley.errors import BadRequest, NotFound, RateLimited, Unauthorized
from parley.identity import store as identity_store
from parley.identity.agents import create_agent, reset_password, revocation_channel, sign_in
from parley.identity.throttle import MemoryLoginThrottle
from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import ChatClient, agent_client, agent_token, new_visitor, visitor_client
from tests.support.factories import new_conversation

MakeAgent = Callable[..., Awaitable[str]]
API = "/api/v1/console/admin"
LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a brand new password"
NEW_AGENT = {
    "name": "Nina <b>New</b>",
    "email": "nina@example.com",
    "password": "a long enough password",
    "role": "agent",
    "capacity": 5,
}


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
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    stranger, agent = browsers(), browsers()
    csrf = await signed_in_with_csrf(agent, await make_agent("Sam"))
    reads = ["/agents", "/teams", "/settings"]
    writes = [
        ("POST", "/agents", NEW_AGENT),
        ("PATCH", "/agents/agt_x", {"disabled": True}),
        ("POST", "/teams", {"name": "Sneaky"}),
        ("PATCH", "/teams/team_x", {"name": "Sneaky"}),
        ("DELETE", "/teams/team_x", None),
        ("PUT", "/agents/agt_x/password", {"password": "a long enough password"}),
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
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
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
    agent = (await client.post(f"{API}/agents", json=NEW_AGENT, headers=headers)).json()
    reset = {"password": "another long password"}
    assert (await client.put(f"{API}/agents/{agent['id']}/password", json=reset)).status_code == 403
    team = (await client.post(f"{API}/teams", json={"name": "Billing"}, headers=headers)).json()
    assert (await client.delete(f"{API}/teams/{team['id']}")).status_code == 403
    assert len(await _agents(client)) == 2
    assert "Billing" in [t["name"] for t in (await client.get(f"{API}/teams")).json()["teams"]]
    settings = (await client.get(f"{API}/settings")).json()["settings"]
    assert settings["widget_color"]["source"] == "environment"
    login = {"email": NEW_AGENT["email"], "password": NEW_AGENT["password"]}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200


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
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
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


async def test_disabling_demoting_or_a_new_password_closes_open_consoles(
    live_url: str, make_agent: MakeAgent
) -> None:
    sam_email, bea_email = await make_agent("Sam"), await make_agent("Bea", "admin")
    tim_email = await make_agent("Tim")
    sam, _ = await agent_client(live_url, await agent_token(live_url, sam_email, PASSWORD))
    bea, _ = await agent_client(live_url, await agent_token(live_url, bea_email, PASSWORD))
    tim, _ = await agent_client(live_url, await agent_token(live_url, tim_email, PASSWORD))
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
        reset = {"password": NEW_PASSWORD}
        assert (
            await admin.put(f"{API}/agents/{ids['Tim']}/password", json=reset, headers=headers)
        ).is_success
    assert await _closed_with(sam) == 4401
    assert await _closed_with(bea) == 4401
    assert await _closed_with(tim) == 4401


async def _id_of(admin: httpx.AsyncClient, name: str) -> str:
    return str(next(a["id"] for a in await _agents(admin) if a["name"] == name))


async def test_an_admin_sets_a_new_password_and_the_agents_sessions_end(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    admin, sam = browsers(), browsers()
    headers = await _admin(admin, make_agent)
    await signed_in_with_csrf(sam, await make_agent("Sam"))
    url = f"{API}/agents/{await _id_of(admin, 'Sam')}/password"
    reset = await admin.put(url, json={"password": NEW_PASSWORD}, headers=headers)
    assert reset.status_code == 200
    assert reset.json()["email"] == "sam@example.com"
    assert "password" not in str(reset.json())
    assert "hash" not in str(reset.json())
    assert (await sam.get("/api/v1/auth/me")).status_code == 401
    old = {"email": "sam@example.com", "password": PASSWORD}
    assert (await sam.post(LOGIN, json=old)).status_code == 401
    new = {"email": "sam@example.com", "password": NEW_PASSWORD}
    assert (await sam.post(LOGIN, json=new)).status_code == 200
    assert (await admin.get(f"{API}/agents")).status_code == 200  # the admin stays signed in


@pytest.mark.parametrize(
    "body",
    [{"password": "short"}, {"password": "        "}, {"password": 12345678}, {}],
)
async def test_a_bad_new_password_changes_nothing(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent, body: dict[str, object]
) -> None:
    admin, sam = browsers(), browsers()
    headers = await _admin(admin, make_agent)
    await signed_in_with_csrf(sam, await make_agent("Sam"))
    url = f"{API}/agents/{await _id_of(admin, 'Sam')}/password"
    refused = await admin.put(url, json=body, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"]
    assert (await sam.get("/api/v1/auth/me")).status_code == 200
    old = {"email": "sam@example.com", "password": PASSWORD}
    assert (await browsers().post(LOGIN, json=old)).status_code == 200


async def test_an_admin_cannot_reset_their_own_password_in_the_console(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    url = f"{API}/agents/{await _id_of(client, 'Ada')}/password"
    refused = await client.put(url, json={"password": NEW_PASSWORD}, headers=headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "own_password")
    assert (await client.get(f"{API}/agents")).status_code == 200  # still signed in
    unknown = await client.put(
        f"{API}/agents/agt_missing/password", json={"password": NEW_PASSWORD}, headers=headers
    )
    assert unknown.status_code == 404
    assert (
        await client.post(LOGIN, json={"email": "ada@example.com", "password": PASSWORD})
    ).status_code == 200


async def test_guesses_from_elsewhere_do_not_lock_an_agent_out(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent, settings: Settings
) -> None:
    admin, sam, guesser = browsers(), browsers(), browsers("198.51.100.9")
    headers = await _admin(admin, make_agent)
    await make_agent("Sam")
    wrong = {"email": "sam@example.com", "password": "not the password"}
    for _ in range(settings.login_max_failures):
        assert (await guesser.post(LOGIN, json=wrong)).status_code == 401
    assert (await guesser.post(LOGIN, json=wrong)).status_code == 429  # that address is done
    right = {"email": "sam@example.com", "password": PASSWORD}
    assert (await sam.post(LOGIN, json=right)).status_code == 200  # Sam, slowed, still gets in
    url = f"{API}/agents/{await _id_of(admin, 'Sam')}/password"
    assert (await admin.put(url, json={"password": NEW_PASSWORD}, headers=headers)).is_success
    new = {"email": "sam@example.com", "password": NEW_PASSWORD}
    assert (await sam.post(LOGIN, json=new)).status_code == 200
    assert (await guesser.post(LOGIN, json=wrong)).status_code == 429  # the address stays counted


async def test_deleting_a_team_removes_it_and_its_memberships(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = await _admin(client, make_agent)
    billing = (await client.post(f"{API}/teams", json={"name": "Billing"}, headers=headers)).json()
    teams = {t["name"]: t for t in (await client.get(f"{API}/teams")).json()["teams"]}
    support = teams["Support"]["id"]
    body = {**NEW_AGENT, "team_ids": [billing["id"], support]}
    nina = (await client.post(f"{API}/agents", json=body, headers=headers)).json()
    refused = await client.delete(f"{API}/teams/{support}", headers=headers)
    assert refused.status_code == 400  # routing falls back to the default team
    assert (await client.delete(f"{API}/teams/team_missing", headers=headers)).status_code == 404
    deleted = await client.delete(f"{API}/teams/{billing['id']}", headers=headers)
    assert deleted.status_code == 204
    after = (await client.get(f"{API}/teams")).json()["teams"]
    assert [t["name"] for t in after] == ["Support"]
    assert next(a for a in await _agents(client) if a["id"] == nina["id"])["team_ids"] == [support]
    again = await client.delete(f"{API}/teams/{billing['id']}", headers=headers)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "unknown_team")


async def test_a_deleted_teams_queue_goes_to_the_default_team(
    live_url: str, make_agent: MakeAgent, settings: Settings
) -> None:
    """Ola (Polish team only, room for one) holds one Polish conversation and a second waits
    for her although Sam (Support) is free. Deleting the team hands the waiting one to Sam;
    Ola keeps hers."""
    ola_email, sam_email = await make_agent("Ola"), await make_agent("Sam")
    db = Database(settings.resolved_database_url)
    try:
        team = await identity_store.create_team(db, "Polski", "pl")
        ola = await identity_store.agent_by_email(db, ola_email)
        assert ola is not None
        await identity_store.update_agent(db, ola.id, capacity=1, team_ids=[team.id])
    finally:
        await db.close()
    ola_client, _ = await agent_client(live_url, await agent_token(live_url, ola_email, PASSWORD))
    sam_client, _ = await agent_client(live_url, await agent_token(live_url, sam_email, PASSWORD))
    first, _ = await visitor_client(live_url, await new_visitor(live_url, locale="pl-PL"))
    first_id = (await first.say("Dzień dobry"))["conversation_id"]
    await first.send({"type": "handoff"})
    assert (await first.expect("assigned", conversation_id=first_id))["agent"]["name"] == "Ola"
    second, _ = await visitor_client(live_url, await new_visitor(live_url, locale="pl"))
    second_id = (await second.say("Halo?"))["conversation_id"]
    await second.send({"type": "handoff"})
    await second.expect("queue", conversation_id=second_id, position=1)
    assert not [f for f in await second.collect(2.5) if f["type"] == "assigned"]  # a router pass

    async with httpx.AsyncClient(base_url=live_url) as admin:
        headers = await _admin(admin, make_agent)
        deleted = await admin.delete(f"{API}/teams/{team.id}", headers=headers)
        assert deleted.status_code == 204
        assigned = await second.expect("assigned", conversation_id=second_id)
        assert assigned["agent"]["name"] == "Sam"
        teams = (await admin.get(f"{API}/teams")).json()["teams"]
        assert [t["name"] for t in teams] == ["Support"]
        found = await admin.get("/api/v1/console/conversations", params={"status": "assigned"})
        summaries = {c["id"]: c for c in found.json()["conversations"]}
    support = teams[0]["id"]
    assert summaries[first_id]["assignee"] == ola.id  # Ola keeps hers
    assert summaries[first_id]["team"] == summaries[second_id]["team"] == support
    summary = (await ola_client.expect("conversation"))["conversation"]
    while (summary["id"], summary["team"]) != (first_id, support):  # her console hears of it
        summary = (await ola_client.expect("conversation"))["conversation"]
    for client in (ola_client, sam_client, first, second):
        await client.collect(0.1)  # a full receive queue would hold up the closing handshake
        await client.close()


async def test_a_team_deletion_and_a_password_reset_on_both_databases(db: Database) -> None:
    """The two stores' writes on SQLite and PostgreSQL: conversations of every status move to
    the default team in the same transaction; a reset revokes tokens and clears the lockout."""
    agent = await create_agent(db, email="sam@example.com", name="Sam", password=PASSWORD)
    support = (await identity_store.list_teams(db))[0]
    team = await identity_store.create_team(db, "Billing", None)
    await identity_store.add_team_member(db, team.id, agent.id)
    moved = {}
    for status in ("bot", "queued", "assigned", "resolved"):
        conversation = await new_conversation(db, status=status)
        await update_conversation(db, conversation.id, team_id=team.id, assignee_id=agent.id)
        moved[status] = conversation.id
    open_ids = await identity_store.delete_team(db, team.id)
    assert sorted(open_ids) == sorted(moved[s] for s in ("bot", "queued", "assigned"))
    for conversation_id in moved.values():
        after = await conversation_by_id(db, conversation_id)
        assert after is not None
        assert (after.team_id, after.assignee_id) == (support.id, agent.id)
    assert [(t.name, t.member_ids) for t in await identity_store.list_teams(db)] == [
        ("Support", (agent.id,))
    ]
    with pytest.raises(NotFound):
        await identity_store.delete_team(db, team.id)
    with pytest.raises(BadRequest):
        await identity_store.delete_team(db, support.id)

    throttle = MemoryLoginThrottle(max_failures=1)
    await throttle.reserve(agent.email, "a")  # one failed guess: address a is used up
    with pytest.raises(RateLimited):
        await sign_in(db, throttle, email=agent.email, password=PASSWORD, client_address="a")
    revoked: list[bytes] = []
    bus = MemoryBus()
    bus.subscribe(revocation_channel(agent.id), revoked.append)
    changed = await reset_password(db, bus, throttle, agent.id, NEW_PASSWORD)
    assert changed.token_version == agent.token_version + 1
    assert revoked == [b"revoked"]
    signed_in = await sign_in(
        db, throttle, email=agent.email, password=NEW_PASSWORD, client_address="c"
    )
    assert signed_in.id == agent.id  # the email's failures are forgiven: no delay
    with pytest.raises(Unauthorized):
        await sign_in(db, throttle, email=agent.email, password=PASSWORD, client_address="b")
