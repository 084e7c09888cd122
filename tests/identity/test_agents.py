"""Agent accounts on both backends: creation rules, sign-in, revocation."""

from __future__ import annotations

import pytest

from parley.db import Database
from parley.errors import BadRequest, Conflict, RateLimited, Unauthorized
from parley.identity import store
from parley.identity.agents import (
    agent_for_token,
    create_agent,
    end_session,
    sign_in,
    start_session,
)
from parley.identity.throttle import MemoryLoginThrottle
from parley.identity.tokens import TokenSigner

SIGNER = TokenSigner("test-secret", agent_ttl_seconds=3600)


async def _ann(db: Database) -> store.Agent:
    return await create_agent(
        db, email="Ann@Example.com ", name="Ann", password="correct horse", role="admin"
    )


async def test_created_agent_signs_in_with_normalized_email(db: Database) -> None:
    created = await _ann(db)
    assert created.email == "ann@example.com"
    assert "correct horse" not in created.password_hash
    agent = await sign_in(
        db,
        MemoryLoginThrottle(10),
        email="ANN@example.com",
        password="correct horse",
        client_address="a",
    )
    assert agent.id == created.id
    assert agent.public() == {
        "id": created.id,
        "name": "Ann",
        "email": "ann@example.com",
        "role": "admin",
    }


async def test_duplicate_email_is_a_conflict(db: Database) -> None:
    await _ann(db)
    with pytest.raises(Conflict):
        await create_agent(db, email="ann@example.com", name="Other", password="long enough")


@pytest.mark.parametrize(
    ("email", "password", "role"),
    [
        ("not-an-email", "long enough", "agent"),
        ("b@example.com", "short", "agent"),
        ("b@example.com", "long enough", "owner"),
    ],
)
async def test_invalid_agents_are_refused(
    db: Database, email: str, password: str, role: str
) -> None:
    with pytest.raises(BadRequest):
        await create_agent(db, email=email, name="B", password=password, role=role)
    assert await store.list_agents(db) == []


async def test_wrong_password_and_unknown_email_are_both_unauthorized(db: Database) -> None:
    await _ann(db)
    throttle = MemoryLoginThrottle(10)
    for email, password in [("ann@example.com", "wrong password"), ("nobody@x.io", "whatever")]:
        with pytest.raises(Unauthorized):
            await sign_in(db, throttle, email=email, password=password, client_address="a")


async def test_disabled_agent_cannot_sign_in_and_old_tokens_stop_working(db: Database) -> None:
    await _ann(db)  # an admin stays: the last one could not be disabled
    agent = await create_agent(
        db, email="bo@example.com", name="Bo", password="correct horse", role="agent"
    )
    token = await start_session(db, SIGNER, agent)
    assert (await agent_for_token(db, SIGNER, token)).id == agent.id
    await store.update_agent(db, agent.id, disabled=True)
    with pytest.raises(Unauthorized):
        await agent_for_token(db, SIGNER, token)
    with pytest.raises(Unauthorized):
        await sign_in(
            db,
            MemoryLoginThrottle(10),
            email=agent.email,
            password="correct horse",
            client_address="a",
        )


async def test_a_guessing_address_is_refused_but_the_agent_still_signs_in(db: Database) -> None:
    agent = await _ann(db)
    throttle = MemoryLoginThrottle(4)
    for _ in range(4):
        with pytest.raises(Unauthorized):
            await sign_in(db, throttle, email=agent.email, password="nope", client_address="ip1")
    with pytest.raises(RateLimited) as refused:
        await sign_in(
            db, throttle, email=agent.email, password="correct horse", client_address="ip1"
        )
    assert refused.value.retry_after > 0
    signed_in = await sign_in(
        db, throttle, email=agent.email, password="correct horse", client_address="ip2"
    )
    assert signed_in.id == agent.id


async def test_a_session_ends_on_the_server_when_signed_out_or_the_password_changes(
    db: Database,
) -> None:
    agent = await _ann(db)
    kept, signed_out = (
        await start_session(db, SIGNER, agent),
        await start_session(db, SIGNER, agent),
    )
    await end_session(db, SIGNER, signed_out)
    with pytest.raises(Unauthorized):
        await agent_for_token(db, SIGNER, signed_out)
    assert (await agent_for_token(db, SIGNER, kept)).id == agent.id  # other devices stay in
    await store.update_agent(db, agent.id, password_hash="new-hash")
    with pytest.raises(Unauthorized):
        await agent_for_token(db, SIGNER, kept)
