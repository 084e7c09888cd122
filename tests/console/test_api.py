"""Conversation search and labels over the console's JSON API: who may see and change what."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from parley.config import Settings
from parley.conversation import store
from parley.conversation.store import Conversation
from parley.db import Database
from parley.identity import store as identity_store
from tests.console.forms import signed_in_with_csrf
from tests.support.factories import new_conversation

MakeAgent = Callable[..., Awaitable[str]]
SEARCH = "/api/v1/console/conversations"


async def _conversation(
    settings: Settings, *, owner_email: str | None = None, **fields: Any
) -> Conversation:
    """A conversation in the app's database, assigned to ``owner_email`` when given."""
    db = Database(settings.resolved_database_url)
    try:
        conversation = await new_conversation(db, **fields)
        if owner_email is not None:
            owner = await identity_store.agent_by_email(db, owner_email)
            assert owner is not None
            changed = await store.update_conversation(db, conversation.id, assignee_id=owner.id)
            assert changed is not None
            conversation = changed
        return conversation
    finally:
        await db.close()


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [summary["id"] for summary in response.json()["conversations"]]


async def test_search_shows_an_agent_only_what_they_may_read(
    client: httpx.AsyncClient, settings: Settings, make_agent: MakeAgent
) -> None:
    assert (await client.get(SEARCH, params={"q": "vera"})).status_code == 401
    ann, bob = await make_agent("Ann"), await make_agent("Bob")
    mine = await _conversation(settings, status="resolved", name="Vera", owner_email=ann)
    theirs = await _conversation(settings, status="resolved", name="Vera", owner_email=bob)
    queued = await _conversation(settings, status="queued", name="Vera", email="v@example.com")
    await signed_in_with_csrf(client, ann)

    assert set(_ids(await client.get(SEARCH, params={"q": "VERA"}))) == {mine.id, queued.id}
    assert theirs.id not in _ids(await client.get(SEARCH, params={"status": "resolved"}))
    found = (await client.get(SEARCH, params={"q": "v@example"})).json()
    assert found["next_offset"] is None
    [summary] = found["conversations"]
    assert (summary["visitor"]["email"], summary["labels"]) == ("v@example.com", [])
    paged = (await client.get(SEARCH, params={"q": "vera", "limit": 1})).json()
    assert len(paged["conversations"]) == 1
    assert paged["next_offset"] == 1
    for bad in ({"limit": "0"}, {"limit": "51"}, {"offset": "-1"}, {"limit": "x"}):
        assert (await client.get(SEARCH, params=bad)).status_code == 400
    assert (await client.get(SEARCH, params={"status": "gone"})).status_code == 400


async def test_labels_need_csrf_and_a_conversation_the_agent_may_read(
    client: httpx.AsyncClient, settings: Settings, make_agent: MakeAgent
) -> None:
    ann, bob = await make_agent("Ann"), await make_agent("Bob")
    mine = await _conversation(settings, status="assigned", owner_email=ann)
    theirs = await _conversation(settings, status="assigned", owner_email=bob)
    headers = {"X-CSRF-Token": await signed_in_with_csrf(client, ann)}
    url = f"/api/v1/console/conversations/{mine.id}/labels"

    assert (await client.post(url, json={"label": "vip"})).status_code == 403  # no CSRF header
    added = await client.post(url, json={"label": "  VIP "}, headers=headers)
    assert (added.status_code, added.json()) == (200, {"labels": ["vip"]})
    again = await client.post(url, json={"label": "Refund"}, headers=headers)
    assert again.json() == {"labels": ["refund", "vip"]}
    invalid = await client.post(url, json={"label": "a/b"}, headers=headers)
    assert (invalid.status_code, invalid.json()["error"]["code"]) == (400, "invalid_label")

    assert _ids(await client.get(SEARCH, params={"label": "Refund"})) == [mine.id]
    labels = (await client.get("/api/v1/console/labels")).json()["labels"]
    # New names joined the team's list, in the default colour.
    assert [(x["label"], x["count"]) for x in labels] == [("refund", 1), ("vip", 1)]  # as before
    assert [(x["name"], x["colour"], x["count"]) for x in labels] == [
        ("refund", "grey", 1),
        ("vip", "grey", 1),
    ]

    other = f"/api/v1/console/conversations/{theirs.id}/labels"
    refused = await client.post(other, json={"label": "vip"}, headers=headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        403,
        "not_your_conversation",
    )
    missing = "/api/v1/console/conversations/cnv_missing/labels"
    assert (await client.post(missing, json={"label": "x"}, headers=headers)).status_code == 404

    assert (await client.delete(f"{url}/refund")).status_code == 403  # no CSRF header
    removed = await client.delete(f"{url}/REFUND", headers=headers)
    assert removed.json() == {"labels": ["vip"]}
    assert _ids(await client.get(SEARCH, params={"label": "refund"})) == []
