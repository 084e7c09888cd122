"""Saved replies over the console's JSON API: agents only, CSRF header on every write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.console.forms import signed_in_with_csrf

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
