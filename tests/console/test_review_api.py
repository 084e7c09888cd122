"""Peer review over HTTP: the scorecard is the admins' to change (a new version each time),
calibration and IQS are theirs to read, and a review opens only for its reviewer, the reviewed
agent and admins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.console.forms import signed_in_with_csrf

MakeAgent = Callable[..., Awaitable[str]]
BASE = "/api/v1/quality"


async def test_scorecard_and_reports_are_for_admins(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    admin, agent = browsers(), browsers()
    admin_headers = {
        "X-CSRF-Token": await signed_in_with_csrf(admin, await make_agent("Ada", role="admin"))
    }
    agent_headers = {"X-CSRF-Token": await signed_in_with_csrf(agent, await make_agent("Ann"))}

    default = (await agent.get(f"{BASE}/scorecard")).json()
    assert [c["key"] for c in default["criteria"]] == ["empathy", "solution", "tone", "media"]
    card = {"criteria": [{"label": "Accuracy", "weight": 3}, {"label": "Tone"}], "scale": 4}
    assert (
        await agent.put(f"{BASE}/scorecard", json=card, headers=agent_headers)
    ).status_code == 403
    bad = await admin.put(f"{BASE}/scorecard", json={"criteria": []}, headers=admin_headers)
    assert bad.status_code == 400
    changed = await admin.put(f"{BASE}/scorecard", json=card, headers=admin_headers)
    assert [c["key"] for c in changed.json()["criteria"]] == ["accuracy", "tone"]
    assert changed.json()["id"] != default["id"]  # a new version; old reviews keep theirs
    assert (await agent.get(f"{BASE}/scorecard")).json()["scale"] == 4

    for report in ("reviews/calibration", "iqs"):
        assert (await agent.get(f"{BASE}/{report}")).status_code == 403
        assert (await admin.get(f"{BASE}/{report}")).status_code == 200
    assert (await agent.get(f"{BASE}/reviews/mine")).json() == {"assignments": []}
    assert (await agent.get(f"{BASE}/reviews/rev_nope")).status_code == 404
    missing = await agent.post(
        f"{BASE}/reviews/rev_nope", json={"scores": {}}, headers=agent_headers
    )
    assert missing.status_code == 404
