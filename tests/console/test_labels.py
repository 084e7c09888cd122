"""The team's label list: store rules on both databases, the admin API (admins only, CSRF,
bad input changes nothing), and what open consoles hear when the list changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from parley.config import Settings
from parley.conversation.store import labels as label_store
from parley.db import Database
from parley.errors import BadRequest, Conflict, NotFound
from parley.identity.agents import create_agent
from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import agent_client, agent_token
from tests.support.factories import new_conversation

MakeAgent = Callable[..., Awaitable[str]]
ADMIN_LABELS = "/api/v1/console/admin/labels"
LIST = "/api/v1/console/labels"


async def _listed(db: Database) -> list[tuple[str, str, str | None, int]]:
    return [(x.name, x.colour, x.description, n) for x, n in await label_store.list_labels(db)]


async def test_agents_grow_the_list_and_admins_shape_it(db: Database) -> None:
    admin = await create_agent(db, email="ada@example.com", name="Ada", password=PASSWORD)
    first, second = await new_conversation(db), await new_conversation(db)
    assert await label_store.add_label(db, first.id, " VIP ", created_by=admin.id)
    assert not await label_store.add_label(db, second.id, "vip")  # listed already
    urgent = await label_store.create_label(
        db, name="Urgent", colour="red", description="  answer   first ", created_by=admin.id
    )
    assert await _listed(db) == [("vip", "grey", None, 2), ("urgent", "red", "answer first", 0)]

    renamed, relabelled = await label_store.change_label(db, urgent.id, colour="blue", name="Now")
    assert (renamed.name, renamed.colour, relabelled) == ("now", "blue", [])
    [vip] = [x for x, _ in await label_store.list_labels(db) if x.name == "vip"]
    _, relabelled = await label_store.change_label(db, vip.id, name="Important")
    assert sorted(relabelled) == sorted([first.id, second.id])
    assert await label_store.labels_of(db, [first.id, second.id]) == {
        first.id: ["important"],
        second.id: ["important"],
    }

    assert sorted(await label_store.delete_label(db, vip.id)) == sorted([first.id, second.id])
    assert await label_store.labels_of(db, [first.id, second.id]) == {}
    assert await _listed(db) == [("now", "blue", "answer first", 0)]
    with pytest.raises(NotFound):
        await label_store.delete_label(db, vip.id)


async def test_a_refused_change_leaves_the_list_and_conversations_as_they_were(
    db: Database,
) -> None:
    admin = await create_agent(db, email="ada@example.com", name="Ada", password=PASSWORD)
    conversation = await new_conversation(db)
    await label_store.add_label(db, conversation.id, "billing")
    await label_store.add_label(db, conversation.id, "refund")
    [billing] = [x for x, _ in await label_store.list_labels(db) if x.name == "billing"]
    before = await _listed(db)
    with pytest.raises(Conflict):
        await label_store.change_label(db, billing.id, name="REFUND", colour="green")
    with pytest.raises(Conflict):
        await label_store.create_label(
            db, name=" Refund ", colour="red", description="", created_by=admin.id
        )
    for bad in ({"colour": "#ff0000"}, {"name": "a/b"}, {"description": "x" * 201}, {}):
        with pytest.raises(BadRequest):
            await label_store.change_label(db, billing.id, **bad)
    assert await _listed(db) == before
    assert await label_store.labels_of(db, [conversation.id]) == {
        conversation.id: ["billing", "refund"]
    }


async def _headers(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    return {"X-CSRF-Token": await signed_in_with_csrf(client, email)}


async def test_only_admins_with_the_csrf_token_change_the_list(
    client: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    assert (await client.post(ADMIN_LABELS, json={"name": "vip"})).status_code == 401
    agent = await _headers(client, await make_agent("Ann"))
    refused = await client.post(ADMIN_LABELS, json={"name": "vip"}, headers=agent)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "admins_only")
    await client.post("/console/logout", data={"csrf_token": agent["X-CSRF-Token"]})

    admin = await _headers(client, await make_agent("Ada", "admin"))
    assert (await client.post(ADMIN_LABELS, json={"name": "vip"})).status_code == 403  # no CSRF
    created = await client.post(
        ADMIN_LABELS, json={"name": "VIP", "colour": "purple", "description": "Pays"}, headers=admin
    )
    assert created.status_code == 201
    vip: dict[str, Any] = created.json()
    assert (vip["name"], vip["colour"], vip["description"]) == ("vip", "purple", "Pays")
    url = f"{ADMIN_LABELS}/{vip['id']}"
    assert (await client.patch(url, json={"colour": "red"})).status_code == 403  # no CSRF
    assert (await client.delete(url)).status_code == 403

    taken = await client.post(ADMIN_LABELS, json={"name": " vip "}, headers=admin)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "label_exists")
    for body, code in (
        ({"name": "vip", "colour": "magenta"}, "invalid_colour"),
        ({"name": "<b>"}, "invalid_label"),
        ({"name": "ok", "description": "x" * 201}, "invalid_description"),
    ):
        bad = await client.post(ADMIN_LABELS, json=body, headers=admin)
        assert (bad.status_code, bad.json()["error"]["code"]) == (400, code)
    bad = await client.patch(url, json={"colour": 7}, headers=admin)
    assert bad.status_code == 400
    other = await client.post(ADMIN_LABELS, json={"name": "refund"}, headers=admin)
    clash = await client.patch(url, json={"name": "Refund", "colour": "red"}, headers=admin)
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "label_exists")
    listed = (await client.get(LIST)).json()["labels"]
    assert [(x["name"], x["colour"], x["count"]) for x in listed] == [
        ("refund", "grey", 0),
        ("vip", "purple", 0),
    ]

    changed = await client.patch(url, json={"colour": "teal", "description": ""}, headers=admin)
    assert changed.json() == {**vip, "colour": "teal", "description": None}
    assert (
        await client.delete(f"{ADMIN_LABELS}/{other.json()['id']}", headers=admin)
    ).status_code == 204
    missing = await client.delete(f"{ADMIN_LABELS}/lbl_missing", headers=admin)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_label")
    assert [x["name"] for x in (await client.get(LIST)).json()["labels"]] == ["vip"]


async def test_open_consoles_hear_the_new_list_and_the_relabelled_conversations(
    live_url: str, make_agent: MakeAgent, settings: Settings
) -> None:
    ann = await make_agent("Ann")
    db = Database(settings.resolved_database_url)
    try:  # with the bot: a queued one could be given to Ann meanwhile, a summary of its own
        conversation = await new_conversation(db)
        await label_store.add_label(db, conversation.id, "billing")
    finally:
        await db.close()
    console, _ = await agent_client(live_url, await agent_token(live_url, ann, PASSWORD))
    async with httpx.AsyncClient(base_url=live_url) as admin:
        headers = await _headers(admin, await make_agent("Ada", "admin"))
        [billing] = (await admin.get(LIST)).json()["labels"]
        renamed = await admin.patch(
            f"{ADMIN_LABELS}/{billing['id']}",
            json={"name": "Invoices", "colour": "orange"},
            headers=headers,
        )
        assert renamed.status_code == 200
    frame = await console.expect("labels")
    assert [(x["name"], x["colour"]) for x in frame["labels"]] == [("invoices", "orange")]
    # The router may announce the queued conversation (Ann is online) before the rename: those
    # summaries carry the old name. The one after the rename must carry the new one.
    summary = (await console.expect("conversation"))["conversation"]
    while summary["labels"] == ["billing"]:
        summary = (await console.expect("conversation"))["conversation"]
    assert (summary["id"], summary["labels"]) == (conversation.id, ["invoices"])
    await console.close()
