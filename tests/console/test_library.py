"""The library's JSON API: agents only, CSRF on every write, search, send, usage counts, and
who can fetch what over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from parley.config import Settings
from parley.conversation import store as conversation_store
from parley.db import Database
from parley.identity import store as identity_store
from tests.console.forms import signed_in_with_csrf
from tests.media import animation_bytes, image_bytes

MakeAgent = Callable[..., Awaitable[str]]
URL = "/api/v1/console/library"


def gif_upload(title: str = "Clear the cache", tags: str = "browser, Cache") -> dict[str, Any]:
    return {
        "data": {"title": title, "tags": tags},
        "files": {"file": ("howto.gif", animation_bytes("GIF", [80, 80]), "image/gif")},
    }


async def visitor_with_conversation(
    client: httpx.AsyncClient, settings: Settings
) -> tuple[str, str]:
    """A visitor's bearer token and a conversation of theirs."""
    registered = (await client.post("/api/v1/visitors", json={})).json()
    db = Database(settings.resolved_database_url)
    try:
        conversation = await conversation_store.create_conversation(
            db, visitor_id=registered["visitor_id"], locale="en", team_id=None
        )
    finally:
        await db.close()
    return registered["token"], conversation.id


async def test_upload_search_send_and_count(
    client: httpx.AsyncClient, make_agent: MakeAgent, settings: Settings
) -> None:
    headers = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent())}
    created = await client.post(URL, headers=headers, **gif_upload())
    assert created.status_code == 201
    item = created.json()
    assert (item["title"], item["tags"], item["uses"]) == (
        "Clear the cache",
        ["browser", "cache"],
        0,
    )
    other = await client.post(
        URL,
        headers=headers,
        data={"title": "Where is the invoice", "tags": "billing"},
        files={"file": ("shot.png", image_bytes("PNG"), "image/png")},
    )
    assert other.status_code == 201

    assert [i["title"] for i in (await client.get(URL, params={"q": "cach"})).json()["items"]] == [
        "Clear the cache"
    ]
    assert [i["id"] for i in (await client.get(URL, params={"q": "bill"})).json()["items"]] == [
        other.json()["id"]
    ]
    assert (await client.get(URL, params={"q": "refund"})).json()["items"] == []

    visitor_token, conversation_id = await visitor_with_conversation(client, settings)
    sent = await client.post(
        f"{URL}/{item['id']}/send", json={"conversation_id": conversation_id}, headers=headers
    )
    assert sent.status_code == 201
    assert sent.json()["item"]["uses"] == 1
    copy_url = sent.json()["attachment"]["url"]
    as_visitor = {"Authorization": f"Bearer {visitor_token}"}
    fetched = await client.get(copy_url, headers=as_visitor)
    assert (fetched.status_code, fetched.headers["content-type"]) == (200, "image/gif")
    original = await client.get(item["attachment"]["url"], headers=as_visitor)
    assert original.status_code == 404
    assert (await client.get(item["attachment"]["url"])).status_code == 200  # the agent's cookie
    listed = (await client.get(URL)).json()["items"]
    assert [(i["title"], i["uses"]) for i in listed] == [
        ("Clear the cache", 1),
        ("Where is the invoice", 0),
    ]


async def test_visitors_and_strangers_are_refused(
    client: httpx.AsyncClient, make_agent: MakeAgent, settings: Settings
) -> None:
    visitor_token, conversation_id = await visitor_with_conversation(client, settings)
    as_visitor = {"Authorization": f"Bearer {visitor_token}"}
    for headers in ({}, as_visitor):
        assert (await client.get(URL, headers=headers)).status_code == 401
        upload = await client.post(URL, headers=headers, **gif_upload())
        assert upload.status_code == 401
        send = await client.post(
            f"{URL}/lib_x/send", json={"conversation_id": conversation_id}, headers=headers
        )
        assert send.status_code == 401
        assert (await client.delete(f"{URL}/lib_x", headers=headers)).status_code == 401

    headers = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent())}
    item = (await client.post(URL, headers=headers, **gif_upload())).json()
    send = await client.post(
        f"{URL}/{item['id']}/send", json={"conversation_id": conversation_id}, headers=as_visitor
    )
    assert send.status_code == 401  # a bearer visitor token is not a session, even with one
    assert (await client.get(URL)).json()["items"][0]["uses"] == 0


async def test_writes_need_the_csrf_header_and_delete_is_for_creator_or_admin(
    client: httpx.AsyncClient, make_agent: MakeAgent, settings: Settings
) -> None:
    token = await signed_in_with_csrf(client, await make_agent("Ann"))
    assert (await client.post(URL, **gif_upload())).status_code == 403
    forged = {"X-CSRF-Token": token + "x"}
    assert (await client.post(URL, headers=forged, **gif_upload())).status_code == 403
    item = (await client.post(URL, headers={"X-CSRF-Token": token}, **gif_upload())).json()
    _, conversation_id = await visitor_with_conversation(client, settings)
    no_header = await client.post(
        f"{URL}/{item['id']}/send", json={"conversation_id": conversation_id}
    )
    assert no_header.status_code == 403
    assert (await client.delete(f"{URL}/{item['id']}")).status_code == 403

    bob = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent("Bob"))}
    assert (await client.delete(f"{URL}/{item['id']}", headers=bob)).status_code == 403
    admin = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent("Ada", "admin"))}
    assert (await client.delete(f"{URL}/{item['id']}", headers=admin)).status_code == 204
    assert (await client.get(URL)).json()["items"] == []
    assert (await client.delete(f"{URL}/{item['id']}", headers=admin)).status_code == 404


async def test_a_send_to_another_agents_conversation_is_refused_and_not_counted(
    client: httpx.AsyncClient, make_agent: MakeAgent, settings: Settings
) -> None:
    _, conversation_id = await visitor_with_conversation(client, settings)
    owner = await make_agent("Owner")
    db = Database(settings.resolved_database_url)
    try:
        owner_agent = await identity_store.agent_by_email(db, owner)
        assert owner_agent is not None
        await conversation_store.update_conversation(
            db, conversation_id, status="assigned", assignee_id=owner_agent.id
        )
    finally:
        await db.close()
    headers = {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent("Other"))}
    item = (await client.post(URL, headers=headers, **gif_upload())).json()
    refused = await client.post(
        f"{URL}/{item['id']}/send", json={"conversation_id": conversation_id}, headers=headers
    )
    assert refused.status_code == 403
    missing = await client.post(
        f"{URL}/{item['id']}/send", json={"conversation_id": "cnv_nope"}, headers=headers
    )
    assert missing.status_code == 404
    assert [i["uses"] for i in (await client.get(URL)).json()["items"]] == [0]
