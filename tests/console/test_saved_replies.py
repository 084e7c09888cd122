"""Saved replies over the console's JSON API: agents only, CSRF header on every write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from parley.config import Settings
from parley.conversation import store as conversation_store
from parley.db import Database
from tests.console.forms import signed_in_with_csrf
from tests.media import image_bytes

MakeAgent = Callable[..., Awaitable[str]]
URL = "/api/v1/console/saved-replies"
REFUND = {"shortcut": "/Refund", "title": "Refund", "body": "Hi {{visitor.name}}, done."}


async def test_crud(client: httpx.AsyncClient, make_agent: MakeAgent) -> None:
    token = await signed_in_with_csrf(client, await make_agent())
    headers = {"X-CSRF-Token": token}
    created = await client.post(URL, json=REFUND, headers=headers)
    assert created.status_code == 201
    reply = created.json()
    assert reply["shortcut"] == "refund"  # cleaned: no slash, lowercase
    assert reply["created_by"]
    listed = (await client.get(URL)).json()["saved_replies"]
    assert [r["id"] for r in listed] == [reply["id"]]

    changed = {"shortcut": "refund-done", "title": "Refund done", "body": "All set."}
    updated = await client.put(f"{URL}/{reply['id']}", json=changed, headers=headers)
    assert updated.status_code == 200
    assert updated.json()["body"] == "All set."
    assert (await client.get(URL)).json()["saved_replies"][0]["shortcut"] == "refund-done"

    assert (await client.delete(f"{URL}/{reply['id']}", headers=headers)).status_code == 204
    assert (await client.get(URL)).json()["saved_replies"] == []
    missing = await client.delete(f"{URL}/{reply['id']}", headers=headers)
    assert missing.status_code == 404


async def test_shortcuts_are_unique_and_validated(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    headers = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent())}
    assert (await client.post(URL, json=REFUND, headers=headers)).status_code == 201
    again = await client.post(URL, json=REFUND, headers=headers)
    assert again.status_code == 409
    bad = await client.post(URL, json={**REFUND, "shortcut": "two words"}, headers=headers)
    assert bad.status_code == 400
    empty = await client.post(URL, json={**REFUND, "body": " "}, headers=headers)
    assert empty.status_code == 400


async def test_writes_need_the_csrf_header(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    token = await signed_in_with_csrf(client, await make_agent())
    assert (await client.post(URL, json=REFUND)).status_code == 403
    forged = await client.post(URL, json=REFUND, headers={"X-CSRF-Token": token + "x"})
    assert forged.status_code == 403
    created = await client.post(URL, json=REFUND, headers={"X-CSRF-Token": token})
    reply_id = created.json()["id"]
    assert (await client.put(f"{URL}/{reply_id}", json=REFUND)).status_code == 403
    assert (await client.delete(f"{URL}/{reply_id}")).status_code == 403
    assert len((await client.get(URL)).json()["saved_replies"]) == 1


async def test_signed_out_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json=REFUND)).status_code == 401
    assert (await client.put(f"{URL}/rep_x", json=REFUND)).status_code == 401
    assert (await client.delete(f"{URL}/rep_x")).status_code == 401


async def test_grown_up_fields_preview_and_insert_over_http(
    client: httpx.AsyncClient, make_agent: MakeAgent, settings: Settings
) -> None:
    headers = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent(role="admin"))}
    registered = (
        await client.post("/api/v1/visitors", json={"name": "Vera", "attributes": {"plan": "Pro"}})
    ).json()
    db = Database(settings.resolved_database_url)
    try:
        conversation = await conversation_store.create_conversation(
            db, visitor_id=registered["visitor_id"], locale="en", team_id=None
        )
    finally:
        await db.close()
    image = await client.post(
        f"{URL}/attachments",
        headers=headers,
        files={"file": ("plan.png", image_bytes("PNG"), "image/png")},
    )
    assert image.status_code == 201
    body = 'Hi {{visitor.name}}: {{visitor.attributes.plan | default("your plan")}}'
    bad = await client.post(URL, json={**REFUND, "body": "{{ visitor.keys() }}"}, headers=headers)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_template")
    created = await client.post(
        URL,
        json={
            **REFUND,
            "body": body,
            "scope": "personal",
            "tags": ["Plans"],
            "attachment_ids": [image.json()["attachment_id"]],
        },
        headers=headers,
    )
    assert created.status_code == 201
    reply = created.json()
    assert (reply["scope"], reply["tags"], reply["uses"]) == ("personal", ["plans"], 0)
    assert [r["id"] for r in (await client.get(f"{URL}?tag=plans")).json()["saved_replies"]] == [
        reply["id"]
    ]
    assert (await client.get(f"{URL}?tag=other")).json()["saved_replies"] == []
    assert (await client.get(f"{URL}?scope=nobody's")).status_code == 400

    where = {"conversation_id": conversation.id}
    preview = await client.post(f"{URL}/{reply['id']}/preview", json=where, headers=headers)
    assert preview.json()["text"] == "Hi Vera: Pro"
    assert preview.json()["attachments"][0]["attachment_id"] == image.json()["attachment_id"]
    inserted = (
        await client.post(f"{URL}/{reply['id']}/insert", json=where, headers=headers)
    ).json()
    copy = inserted["attachments"][0]["attachment_id"]
    assert copy != image.json()["attachment_id"]
    seen = await client.get(
        f"/api/v1/attachments/{copy}", headers={"Authorization": f"Bearer {registered['token']}"}
    )
    assert seen.status_code == 200  # the visitor reads the copy
    draft = await client.post(f"{URL}/preview", json={"body": "{{visitor.email}}"}, headers=headers)
    assert draft.json()["text"] == "your email address"
    assert (await client.post(f"{URL}/{reply['id']}/insert", json=where)).status_code == 403
    missing = await client.post(f"{URL}/rep_x/preview", json=where, headers=headers)
    assert missing.status_code == 404
