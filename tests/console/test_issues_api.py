"""Known issues through the console's API: create, link, mark fixed with a saved reply; the
issue shows its conversations and counts; forged writes are refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from parley.config import Settings
from parley.conversation import store
from parley.db import Database
from tests.console.forms import signed_in_with_csrf
from tests.support.factories import new_conversation

MakeAgent = Callable[..., Awaitable[str]]


async def test_an_agent_links_conversations_and_announces_the_fix_with_a_saved_reply(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent, settings: Settings
) -> None:
    console = browsers()
    csrf = {"x-csrf-token": await signed_in_with_csrf(console, await make_agent("Sam"))}
    db = Database(settings.resolved_database_url)
    try:
        waiting = await new_conversation(db, status="queued")
    finally:
        await db.close()

    assert (await console.post("/api/v1/console/issues", json={"title": "x"})).status_code == 403
    created = await console.post(
        "/api/v1/console/issues", json={"title": "Export is slow"}, headers=csrf
    )
    assert created.status_code == 201
    issue = created.json()["id"]
    linked = await console.post(
        f"/api/v1/console/issues/{issue}/conversations",
        json={"conversation_id": waiting.id},
        headers=csrf,
    )
    assert linked.status_code == 204
    reply = await console.post(
        "/api/v1/console/saved-replies",
        json={"shortcut": "fixed", "title": "Fixed", "body": "It is fixed now."},
        headers=csrf,
    )
    fixed = await console.post(
        f"/api/v1/console/issues/{issue}/fixed",
        json={"saved_reply_id": reply.json()["id"]},
        headers=csrf,
    )
    assert fixed.status_code == 200
    assert fixed.json()["counts"] == {"conversations": 1, "notified": 1, "read": 0, "replied": 0}

    shown = (await console.get(f"/api/v1/console/issues/{issue}")).json()
    assert shown["status"] == "fixed"
    assert shown["conversations"][0]["conversation_id"] == waiting.id
    listing = (await console.get("/api/v1/console/issues")).json()["issues"]
    assert [item["title"] for item in listing] == ["Export is slow"]
    db = Database(settings.resolved_database_url)
    try:
        said = await store.read_since(db, waiting.id, 0, include_internal=False)
    finally:
        await db.close()
    assert [message.text for message in said] == ["It is fixed now."]


async def test_an_issue_is_edited_listed_by_conversation_and_added_up(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent, settings: Settings
) -> None:
    console = browsers()
    csrf = {"x-csrf-token": await signed_in_with_csrf(console, await make_agent("Sam"))}
    db = Database(settings.resolved_database_url)
    try:
        waiting = await new_conversation(db, status="queued")
        other = await new_conversation(db, status="queued")
    finally:
        await db.close()
    page = await console.get("/console/issues")
    assert page.status_code == 200
    assert "Known issues" in page.text
    first = (await console.post("/api/v1/console/issues", json={"title": "A"}, headers=csrf)).json()
    second = (
        await console.post("/api/v1/console/issues", json={"title": "B"}, headers=csrf)
    ).json()
    for issue in (first, second):
        await console.post(
            f"/api/v1/console/issues/{issue['id']}/conversations",
            json={"conversation_id": waiting.id},
            headers=csrf,
        )

    url = f"/api/v1/console/issues/{first['id']}"
    assert (await console.patch(url, json={"title": "Z"})).status_code == 403  # no CSRF header
    for bad in ({"title": "Two\r\nlines"}, {"title": "Ok", "tracker_url": "ftp://x"}, {}):
        assert (await console.patch(url, json=bad, headers=csrf)).status_code == 400
    edited = await console.patch(
        url, json={"title": "Export fails", "tracker_url": "https://t.test/1"}, headers=csrf
    )
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["tracker_url"]) == (
        "Export fails",
        "https://t.test/1",
    )
    missing = await console.patch(
        "/api/v1/console/issues/iss_nope", json={"title": "x"}, headers=csrf
    )
    assert missing.status_code == 404

    linked = await console.get("/api/v1/console/issues", params={"conversation_id": waiting.id})
    assert [issue["title"] for issue in linked.json()["issues"]] == ["Export fails", "B"]
    unlinked = await console.get("/api/v1/console/issues", params={"conversation_id": other.id})
    assert unlinked.json()["issues"] == []
    nowhere = await console.get("/api/v1/console/issues", params={"conversation_id": "cnv_x"})
    assert nowhere.status_code == 404

    await console.post(f"{url}/fixed", json={"text": "Fixed."}, headers=csrf)
    report = (await console.get("/api/v1/console/issues/report")).json()
    assert report == {
        "open": 1,
        "fixed": 1,
        "conversations": 2,
        "notified": 1,
        "read": 0,
        "replied": 0,
    }
