from __future__ import annotations

import httpx

from parley.identity.visitors import expected_user_hash


async def test_new_visitor_gets_an_id_and_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/visitors", json={"name": "Vera", "attributes": {"plan": "Solo"}}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["visitor_id"].startswith("vis_")
    assert body["token"]


async def test_empty_body_is_an_anonymous_visitor(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/visitors")).status_code == 201


async def test_user_hash_right_is_201_wrong_is_403(client: httpx.AsyncClient) -> None:
    good = expected_user_hash("identity-secret-for-tests", "user-7")
    ok = await client.post("/api/v1/visitors", json={"user_id": "user-7", "user_hash": good})
    assert ok.status_code == 201
    bad = await client.post("/api/v1/visitors", json={"user_id": "user-8", "user_hash": good})
    assert bad.status_code == 403
    assert bad.json()["error"]["code"] == "bad_user_hash"


async def test_wrong_types_are_400(client: httpx.AsyncClient) -> None:
    for body in [{"name": 5}, {"attributes": [1]}, {"attributes": {"a": {"b": 1}}}]:
        response = await client.post("/api/v1/visitors", json=body)
        assert response.status_code == 400, body


async def test_identify_updates_a_registered_visitor_at_once_under_the_same_rules(
    client: httpx.AsyncClient,
) -> None:
    good = expected_user_hash("identity-secret-for-tests", "user-7")
    signed_in = {"user_id": "user-7", "user_hash": good}
    created = await client.post(
        "/api/v1/visitors", json={**signed_in, "attributes": {"plan": "Solo"}}
    )
    me = {"Authorization": f"Bearer {created.json()['token']}"}

    told = {**signed_in, "attributes": {"customer_since": "2025-03-01", "revenue": 120.5}}
    updated = await client.post("/api/v1/visitors/me", json=told, headers=me)
    assert updated.status_code == 200
    assert updated.json()["attributes"] == {
        "plan": "Solo",  # kept: attributes merge over the stored ones
        "customer_since": "2025-03-01",
        "revenue": 120.5,
    }

    # Without the hash, or with another user's, nothing changes.
    unsigned = {"user_id": "user-7", "attributes": {"revenue": 10**9}}
    refused = await client.post("/api/v1/visitors/me", json=unsigned, headers=me)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "bad_user_hash")
    other = {
        "user_id": "user-8",
        "user_hash": expected_user_hash("identity-secret-for-tests", "user-8"),
    }
    switched = await client.post("/api/v1/visitors/me", json=other, headers=me)
    assert (switched.status_code, switched.json()["error"]["code"]) == (409, "identity_changed")
    dropped = await client.post("/api/v1/visitors/me", json={"attributes": {}}, headers=me)
    assert dropped.status_code == 409  # the signed-in user is not forgotten by an update
    again = await client.post("/api/v1/visitors/me", json=signed_in, headers=me)
    assert again.json()["attributes"]["revenue"] == 120.5

    assert (await client.post("/api/v1/visitors/me", json=signed_in)).status_code == 401


async def test_an_anonymous_visitor_may_tell_their_name_but_not_become_a_user(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/api/v1/visitors", json={})
    me = {"Authorization": f"Bearer {created.json()['token']}"}
    named = await client.post(
        "/api/v1/visitors/me", json={"name": "Vera", "attributes": {"plan": "Team"}}, headers=me
    )
    assert (named.status_code, named.json()["attributes"]) == (200, {"plan": "Team"})
    good = expected_user_hash("identity-secret-for-tests", "user-7")
    becoming = await client.post(
        "/api/v1/visitors/me", json={"user_id": "user-7", "user_hash": good}, headers=me
    )
    assert (becoming.status_code, becoming.json()["error"]["code"]) == (409, "identity_changed")
    too_many = {"attributes": {f"a{n}": n for n in range(50)}}
    assert (await client.post("/api/v1/visitors/me", json=too_many, headers=me)).status_code == 400
