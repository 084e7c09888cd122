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
