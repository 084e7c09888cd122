"""The claim on both databases: of many simultaneous claims exactly one succeeds."""

from __future__ import annotations

import asyncio

from parley.conversation import store
from parley.db import Database
from parley.identity import store as identity_store
from parley.routing.claim import claim, release_assigned_to
from tests.support.factories import new_conversation


async def test_twenty_simultaneous_claims_have_one_winner(db: Database) -> None:
    conversation = await new_conversation(db, status="queued")
    agents = [
        await identity_store.insert_agent(
            db, email=f"a{n}@example.com", name=f"A{n}", password_hash="x", role="agent"
        )
        for n in range(20)
    ]
    results = await asyncio.gather(
        *(claim(db, conversation.id, agent.id, from_statuses=("queued",)) for agent in agents)
    )
    assert results.count(True) == 1
    winner = agents[results.index(True)]
    stored = await store.conversation_by_id(db, conversation.id)
    assert stored is not None
    assert (stored.status, stored.assignee_id) == ("assigned", winner.id)

    assert await release_assigned_to(db, winner.id) == [conversation.id]
    requeued = await store.conversation_by_id(db, conversation.id)
    assert requeued is not None
    assert (requeued.status, requeued.assignee_id) == ("queued", None)
