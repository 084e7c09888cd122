"""The record on both databases: a step changes the conversation, its episode and the event log
together, first values are set once, a reopen opens a new episode, and a claim has one winner."""

from __future__ import annotations

import asyncio

from parley.conversation import store
from parley.conversation.store.history import Change, Moment, apply
from parley.db import Database
from parley.identity import store as identity_store
from tests.support.factories import new_conversation


async def test_twenty_simultaneous_claims_have_one_winner_and_one_event(db: Database) -> None:
    conversation = await new_conversation(db, status="queued")
    agents = [
        await identity_store.insert_agent(
            db, email=f"a{n}@example.com", name=f"A{n}", password_hash="x", role="agent"
        )
        for n in range(20)
    ]

    def claim(agent_id: str) -> Change:
        return Change(
            moments=(Moment("assigned", agent_id=agent_id, data={"how": "auto"}),),
            only_if_status=("queued",),
            conversation={"status": "assigned", "assignee_id": agent_id},
            assigns=agent_id,
        )

    results = await asyncio.gather(*(apply(db, conversation.id, claim(a.id)) for a in agents))
    winners = [changed for changed in results if changed is not None]
    assert len(winners) == 1
    winner = winners[0]
    stored = await store.conversation_by_id(db, conversation.id)
    assert stored is not None
    assert (stored.status, stored.assignee_id) == ("assigned", winner.conversation.assignee_id)
    assert winner.episode.first_agent_id == winner.conversation.assignee_id
    assigned = [e for e in await store.events_of(db, conversation.id) if e.type == "assigned"]
    assert [e.agent_id for e in assigned] == [winner.conversation.assignee_id]


async def test_first_values_stay_and_a_refused_step_writes_nothing(db: Database) -> None:
    conversation = await new_conversation(db, status="bot")
    first = Change(moments=(Moment("handoff"),), first={"handoff_reason": "asked"})
    again = Change(moments=(Moment("handoff"),), first={"handoff_reason": "bot_unanswered"})
    refused = Change(moments=(Moment("resolved"),), only_if_status=("assigned",))
    assert await apply(db, conversation.id, first) is not None
    assert await apply(db, conversation.id, again) is not None
    assert await apply(db, conversation.id, refused) is None
    (episode,) = await store.episodes_of(db, conversation.id)
    assert episode.handoff_reason == "asked"
    types = [e.type for e in await store.events_of(db, conversation.id)]
    assert types == ["created", "handoff", "handoff"]


async def test_a_reopen_opens_the_next_episode_and_keeps_the_last(db: Database) -> None:
    conversation = await new_conversation(db, status="resolved")
    rated = Change(moments=(Moment("rated", data={"score": 5}),), first={"rating": 5})
    await apply(db, conversation.id, rated)
    reopened = await apply(
        db,
        conversation.id,
        Change(
            moments=(Moment("reopened"),),
            conversation={"status": "bot"},
            opens_episode="visitor",
        ),
    )
    assert reopened is not None
    assert (reopened.conversation.episode, reopened.episode.number) == (2, 2)
    first, second = await store.episodes_of(db, conversation.id)
    assert (first.rating, second.rating) == (5, None)
    events = await store.events_of(db, conversation.id)
    assert [(e.type, e.episode) for e in events] == [
        ("created", 1),
        ("rated", 1),
        ("reopened", 2),
    ]
