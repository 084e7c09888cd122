"""Visitor ↔ agent through routing: assignment, live replies, notes, typing, resolve and rating."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from parley.config import Settings
from parley.conversation.events import AGENTS_CHANNEL, pack
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import DEFAULT_TEAM
from tests.conftest import PASSWORD, LiveApp
from tests.support.chat import ChatClient, agent_client, agent_token, new_visitor, visitor_client

MakeAgent = Callable[..., Awaitable[str]]


async def test_handoff_assigns_an_online_agent_and_they_chat_live(
    live_url: str, make_agent: MakeAgent
) -> None:
    email = await make_agent("Ann")
    agent, welcome = await agent_client(live_url, await agent_token(live_url, email, PASSWORD))
    assert welcome["agent"]["email"] == email
    visitor, visitor_welcome = await visitor_client(
        live_url, await new_visitor(live_url, name="Vera")
    )
    assert visitor_welcome["agents_online"] == 1
    first = await visitor.say("My invoice PDF is blank")
    conversation_id = first["conversation_id"]
    await visitor.send({"type": "handoff", "reason": "need a human"})
    assigned = await visitor.expect("assigned", conversation_id=conversation_id)
    assert assigned["agent"]["name"] == "Ann"
    summary = await agent.expect("conversation")
    while summary["conversation"]["status"] != "assigned":
        summary = await agent.expect("conversation")
    assert summary["conversation"]["visitor"]["name"] == "Vera"
    history = await agent.expect("message", conversation_id=conversation_id, seq=1)
    assert history["text"] == "My invoice PDF is blank"
    await agent.expect("message", conversation_id=conversation_id, note_seq=1)  # the handoff

    reply = await agent.say("Let me look at that.", conversation_id=conversation_id)
    received = await visitor.expect("message", seq=reply["seq"])
    assert received["author"] == {"kind": "agent", "name": "Ann", "id": welcome["agent"]["id"]}

    note = await agent.say("VIP customer", conversation_id=conversation_id, internal=True)
    assert note["note_seq"] == 2  # the handoff itself left note 1 for the team
    await agent.send({"type": "typing", "conversation_id": conversation_id, "state": True})
    typing = await visitor.expect("typing", conversation_id=conversation_id)
    assert typing["by"] == "agent"
    frames = await visitor.collect(0.5)
    assert all("VIP" not in str(frame) for frame in frames), "internal note leaked to the visitor"

    answer = await visitor.say("Thanks!")
    assert answer["seq"] == reply["seq"] + 1  # the note took no visible seq: no gap
    assert (await agent.expect("message", seq=answer["seq"]))["text"] == "Thanks!"
    repeated = [frame for frame in await agent.collect(0.3) if frame.get("note_seq") == 1]
    assert repeated == [], "the agent got the handoff note twice (live and in the replay)"
    await agent.close()
    await visitor.close()


async def test_resolve_asks_for_a_rating_that_reaches_the_agent(
    live_url: str, make_agent: MakeAgent
) -> None:
    email = await make_agent("Bo")
    agent, _ = await agent_client(live_url, await agent_token(live_url, email, PASSWORD))
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    conversation_id = (await visitor.say("Refund please"))["conversation_id"]
    await visitor.send({"type": "rate", "score": 5})
    refused = await visitor.expect("error")
    assert refused["code"] == "not_resolved"
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned", conversation_id=conversation_id)
    await agent.send({"type": "resolve", "conversation_id": conversation_id})
    await visitor.expect("status", conversation_id=conversation_id, status="resolved")
    await visitor.send({"type": "rate", "score": 4, "comment": "quick and kind"})
    while True:
        summary = (await agent.expect("conversation"))["conversation"]
        if summary["rating"] == 4:
            break
    await agent.close()
    await visitor.close()


async def test_nobody_online_means_an_honest_offline_answer_and_a_queue(live_url: str) -> None:
    visitor, welcome = await visitor_client(live_url, await new_visitor(live_url))
    assert welcome["agents_online"] == 0
    assert welcome["business_hours"]["hours"]
    conversation_id = (await visitor.say("Is anyone there?"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    await visitor.expect("status", conversation_id=conversation_id, status="queued")
    offline = await visitor.expect("message", conversation_id=conversation_id)
    while offline["author"]["kind"] != "system":
        offline = await visitor.expect("message", conversation_id=conversation_id)
    assert "Nobody from the team is online" in offline["text"]
    queue = await visitor.expect("queue", conversation_id=conversation_id)
    assert queue["position"] == 1
    await visitor.send({"type": "contact", "email": "vera@example.com"})
    thanks = await visitor.expect("message", conversation_id=conversation_id)
    assert "vera@example.com" in thanks["text"]
    await visitor.close()


async def test_a_second_unanswered_question_goes_to_the_queue(live_url: str) -> None:
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    conversation_id = (await visitor.say("qwxz blorp"))["conversation_id"]
    await visitor.say("zzyzx frobnicate")
    status = await visitor.expect("status", conversation_id=conversation_id, status="queued")
    assert status["status"] == "queued"
    await visitor.close()


async def test_twenty_agents_accepting_at_once_exactly_one_wins(
    live_url: str, make_agent: MakeAgent
) -> None:
    agents = []
    for n in range(20):
        email = await make_agent(f"Agent{n}")
        client, _ = await agent_client(live_url, await agent_token(live_url, email, PASSWORD))
        await client.send({"type": "presence", "status": "away"})  # no automatic assignment
        agents.append(client)
    await asyncio.sleep(0.2)
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    conversation_id = (await visitor.say("race"))["conversation_id"]
    await asyncio.gather(
        *(a.send({"type": "accept", "conversation_id": conversation_id}) for a in agents)
    )
    replies = await asyncio.gather(*(client.collect(1.0) for client in agents))
    refusals = [
        [f for f in frames if f["type"] == "error" and f["code"] == "already_assigned"]
        for frames in replies
    ]
    winners = sum(1 for refused in refusals if not refused)
    for client in agents:
        await client.close()
    assert winners == 1
    assigned = [f for f in await visitor.collect(0.3) if f["type"] == "assigned"]
    assert len(assigned) == 1
    await visitor.close()


async def test_agent_cannot_reply_in_another_agents_conversation(
    live_url: str, make_agent: MakeAgent
) -> None:
    owner, _ = await agent_client(
        live_url, await agent_token(live_url, await make_agent("Owner"), PASSWORD)
    )
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    conversation_id = (await visitor.say("help"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned", conversation_id=conversation_id)
    other, _ = await agent_client(
        live_url, await agent_token(live_url, await make_agent("Other"), PASSWORD)
    )
    await other.send(
        {"type": "message", "conversation_id": conversation_id, "client_id": "o1", "text": "hi"}
    )
    error = await other.expect("error")
    assert (error["code"], error["ref"]) == ("not_your_conversation", "o1")
    await owner.close()
    await other.close()
    await visitor.close()


async def test_a_visitors_locale_routes_to_the_team_for_it(
    live_url: str, make_agent: MakeAgent, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        polish_email = await make_agent("Ola")
        await make_agent("Sam")
        team = await identity_store.create_team(db, "Polski", "pl")
        ola = await identity_store.agent_by_email(db, polish_email)
        assert ola is not None
        await identity_store.add_team_member(db, team.id, ola.id)
    finally:
        await db.close()
    sam, _ = await agent_client(live_url, await agent_token(live_url, "sam@example.com", PASSWORD))
    ola_client, _ = await agent_client(
        live_url, await agent_token(live_url, polish_email, PASSWORD)
    )
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url, locale="pl-PL"))
    conversation_id = (await visitor.say("Dzień dobry"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    assigned = await visitor.expect("assigned", conversation_id=conversation_id)
    assert assigned["agent"]["name"] == "Ola"
    for client in (sam, ola_client, visitor):
        await client.close()


async def test_other_agents_stop_receiving_a_conversation_once_it_is_taken(
    live_url: str, make_agent: MakeAgent
) -> None:
    taker, _ = await agent_client(
        live_url, await agent_token(live_url, await make_agent("Tia"), PASSWORD)
    )
    other, _ = await agent_client(
        live_url, await agent_token(live_url, await make_agent("Oz"), PASSWORD)
    )
    for client in (taker, other):
        await client.send({"type": "presence", "status": "away"})
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    conversation_id = (await visitor.say("first question"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    await other.expect("message", conversation_id=conversation_id)  # the queue is everyone's
    await taker.send({"type": "accept", "conversation_id": conversation_id})
    await visitor.expect("assigned", conversation_id=conversation_id)
    await asyncio.sleep(0.3)
    await other.collect(0.2)
    later = await visitor.say("only for Tia now")
    assert (await taker.expect("message", seq=later["seq"]))["text"] == "only for Tia now"
    leaked = [f for f in await other.collect(0.5) if f["type"] == "message"]
    assert leaked == []
    for client in (taker, other, visitor):
        await client.close()


async def _gather_frames(clients: list[ChatClient], seconds: float) -> list[list[dict[str, Any]]]:
    return list(await asyncio.gather(*(client.collect(seconds) for client in clients)))


async def test_simultaneous_handoffs_never_overfill_an_agent(
    live_url: str, make_agent: MakeAgent
) -> None:
    agent, _ = await agent_client(
        live_url, await agent_token(live_url, await make_agent("Cap"), PASSWORD)
    )
    visitors = [(await visitor_client(live_url, await new_visitor(live_url)))[0] for _ in range(8)]
    for visitor in visitors:
        await visitor.say("help")
    await asyncio.gather(*(visitor.send({"type": "handoff"}) for visitor in visitors))
    outcomes: list[list[dict[str, Any]]] = [[] for _ in visitors]
    for _ in range(20):  # until the agent is full (on a busy machine it may take a while) ...
        for frames, more in zip(outcomes, await _gather_frames(visitors, 0.5), strict=True):
            frames.extend(more)
        if sum(any(f["type"] == "assigned" for f in frames) for frames in outcomes) >= 3:
            break
    for frames, more in zip(outcomes, await _gather_frames(visitors, 1.5), strict=True):
        frames.extend(more)  # ... and then a while longer, in which nobody else is assigned
    assigned = [any(f["type"] == "assigned" for f in frames) for frames in outcomes]
    assert assigned.count(True) == 3  # the default capacity
    for frames, got_agent in zip(outcomes, assigned, strict=True):
        kinds = [f["type"] for f in frames]
        if got_agent:  # nobody hears a queue position after being assigned
            assert "queue" not in kinds[kinds.index("assigned") :]
    for client in (agent, *visitors):
        await client.close()


async def test_an_agent_reopens_a_resolved_conversation(
    live_url: str, make_agent: MakeAgent
) -> None:
    ann, welcome = await agent_client(
        live_url, await agent_token(live_url, await make_agent(), PASSWORD)
    )
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    conversation_id = (await visitor.say("Refund please"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned", conversation_id=conversation_id)
    reopen = {"type": "reopen", "conversation_id": conversation_id}
    await ann.send(reopen)
    assert (await ann.expect("error"))["code"] == "not_resolved"  # still open
    await ann.send({"type": "resolve", "conversation_id": conversation_id})
    await visitor.expect("status", status="resolved")
    await visitor.send({"type": "rate", "score": 2})

    bob, _ = await agent_client(
        live_url, await agent_token(live_url, await make_agent("Bob"), PASSWORD)
    )
    await bob.send(reopen)
    assert (await bob.expect("error"))["code"] == "not_your_conversation"

    await ann.send(reopen)
    await visitor.expect("status", status="assigned")
    assert (await visitor.expect("assigned"))["agent"]["name"] == "Ann"
    while True:
        summary = (await ann.expect("conversation"))["conversation"]
        if summary["status"] == "assigned":
            break
    assert (summary["assignee"], summary["rating"], summary["resolved_at"]) == (
        welcome["agent"]["id"],
        None,  # the old rating is gone: a fresh one is asked for at the next resolve
        None,
    )
    reply = await ann.say("Back on it.", conversation_id=conversation_id)
    assert (await visitor.expect("message", seq=reply["seq"]))["text"] == "Back on it."
    await ann.close()
    await bob.close()
    await visitor.close()


async def test_a_summary_older_than_one_already_sent_is_dropped(
    live_app: LiveApp, make_agent: MakeAgent
) -> None:
    """Two changes racing may announce out of order; the console keeps the newer state."""
    email = await make_agent("Ann")
    agent, _ = await agent_client(live_app.url, await agent_token(live_app.url, email, PASSWORD))
    visitor, _ = await visitor_client(live_app.url, await new_visitor(live_app.url))
    await visitor.say("Hello")
    current = (await agent.expect("conversation"))["conversation"]
    newer = {**current, "status": "assigned", "updated_at": "2999-01-02T00:00:00.000Z"}
    older = {**current, "status": "queued", "updated_at": "2999-01-01T00:00:00.000Z"}
    bus = live_app.app.state.services.bus
    for summary in (newer, older):
        frame = msgspec.json.encode({"type": "conversation", "conversation": summary})
        await bus.publish(AGENTS_CHANNEL, pack(frame))

    assert (await agent.expect("conversation"))["conversation"]["status"] == "assigned"
    later = [f for f in await agent.collect(1.0) if f["type"] == "conversation"]
    assert later == []


async def test_an_agent_learns_nothing_of_a_colleagues_conversation_from_the_live_stream(
    live_url: str, make_agent: MakeAgent, settings: Settings
) -> None:
    ann_email = await make_agent("Ann")
    bob_email = await make_agent("Bob")
    db = Database(settings.resolved_database_url)
    try:  # the conversation's team is Ann's alone
        ann_record = await identity_store.agent_by_email(db, ann_email)
        assert ann_record is not None
        (default,) = [t for t in await identity_store.list_teams(db) if t.name == DEFAULT_TEAM]
        await identity_store.update_team(db, default.id, member_ids=[ann_record.id])
    finally:
        await db.close()
    ann, _ = await agent_client(live_url, await agent_token(live_url, ann_email, PASSWORD))
    bob, _ = await agent_client(live_url, await agent_token(live_url, bob_email, PASSWORD))
    await ann.send({"type": "presence", "status": "online"})
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url, name="Vera"))
    conversation_id = (await visitor.say("Where is my order?"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    assert (await visitor.expect("assigned"))["agent"]["name"] == "Ann"
    await visitor.say("My card ends in 4242")
    await ann.expect("message", conversation_id=conversation_id, text="My card ends in 4242")

    # Bob saw it in the queue; now he hears only that it moved on, not who or what.
    seen = [f["conversation"] for f in await bob.collect(1.0) if f["type"] == "conversation"]
    assert seen[0]["visitor"]["name"] == "Vera"  # while it waited, anyone could take it
    last = seen[-1]
    assert (last["status"], last["assignee"]) == ("assigned", ann_record.id)
    assert (last["visitor"]["name"], last["last_message"]) == (None, None)
    assert last["last_visitor_message"] is None
    assert all("4242" not in str(summary) for summary in seen)
    await ann.close()
    await bob.close()
    await visitor.close()
