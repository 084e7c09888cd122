"""Service-level targets over HTTP: admins set them, agents read them, bad input changes nothing,
and compliance reads a period."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.console.forms import signed_in_with_csrf

MakeAgent = Callable[..., Awaitable[str]]
URL = "/api/v1/quality/sla/targets"
HOUR = {"name": "Within the hour", "first_response_seconds": 3600, "business_hours": True}


async def test_admins_set_targets_agents_read_them(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    admin, agent = browsers(), browsers()
    admin_headers = {
        "X-CSRF-Token": await signed_in_with_csrf(admin, await make_agent("Ada", role="admin"))
    }
    agent_headers = {"X-CSRF-Token": await signed_in_with_csrf(agent, await make_agent("Ann"))}

    assert (await agent.post(URL, json=HOUR, headers=agent_headers)).status_code == 403
    bad = await admin.post(URL, json={**HOUR, "first_response_seconds": 1}, headers=admin_headers)
    assert bad.status_code == 400
    assert (await agent.get(URL)).json()["targets"] == []
    created = await admin.post(URL, json=HOUR, headers=admin_headers)
    assert created.status_code == 201
    (listed,) = (await agent.get(URL)).json()["targets"]
    assert (listed["name"], listed["applies_to"], listed["business_hours"]) == (
        "Within the hour",
        "all",
        True,
    )
    assert (await agent.get("/api/v1/quality/sla/clocks")).json() == {"clocks": []}

    compliance = "/api/v1/quality/sla/compliance"
    assert (await agent.get(compliance)).status_code == 403
    period = await admin.get(compliance, params={"from": "2026-11-01", "to": "2026-12-01"})
    assert period.json()["agents"] == {}
    backwards = await admin.get(compliance, params={"from": "2026-12-01", "to": "2026-11-01"})
    assert backwards.status_code == 400
    assert (await admin.get(compliance, params={"from": "yesterday"})).status_code == 400

    target = f"{URL}/{listed['id']}"
    edit = {**HOUR, "name": "Half an hour", "first_response_seconds": 1800, "escalation": "notify"}
    assert (await agent.put(target, json=edit, headers=agent_headers)).status_code == 403
    refused = await admin.put(target, json={**edit, "escalation": "shout"}, headers=admin_headers)
    assert refused.status_code == 400
    assert (await agent.get(URL)).json()["targets"][0]["name"] == "Within the hour"
    edited = await admin.put(target, json=edit, headers=admin_headers)
    assert edited.status_code == 200
    (shown,) = (await agent.get(URL)).json()["targets"]
    assert (shown["id"], shown["name"], shown["first_response_seconds"], shown["escalation"]) == (
        listed["id"],
        "Half an hour",
        1800,
        "notify",
    )
    missing = await admin.put(f"{URL}/sla_missing", json=edit, headers=admin_headers)
    assert missing.status_code == 404
    assert (await agent.delete(target, headers=agent_headers)).status_code == 403
    assert (await admin.delete(target, headers=admin_headers)).status_code == 204
    assert (await admin.delete(target, headers=admin_headers)).status_code == 404
