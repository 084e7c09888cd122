"""The conversation's life driven without a socket, as the CLI and tests drive it: episodes,
the event log, first response (wall clock and business hours), reopen, rating, self-service."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parley import clock
from parley.conversation import store
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Agent
from parley.knowledge import KnowledgeBase
from parley.routing import store as routing_store
from parley.routing.hours import parse_business_hours
from tests.support.clock import FrozenClock, freeze
from tests.support.desk import Desk, insert_visitor, open_desk

HOURS = parse_business_hours("mon-fri 09:00-17:00", "Europe/Ljubljana")
FRIDAY_1630 = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)  # 16:30 in Ljubljana


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return freeze(monkeypatch, FRIDAY_1630)


@pytest.fixture
async def desk(db: Database) -> Desk:
    """The real lifecycle and router over the database, with no agent online and no articles."""
    return open_desk(db, HOURS)


async def _agent(db: Database, name: str = "Ann") -> Agent:
    return await identity_store.insert_agent(
        db, email=f"{name.lower()}@example.com", name=name, password_hash="x", role="agent"
    )


async def test_a_reopen_keeps_the_first_episodes_rating_and_times(
    desk: Desk, frozen: FrozenClock
) -> None:
    db, life = desk.db, desk.life
    vera, ann = await insert_visitor(db), await _agent(db)
    conversation = (await life.open_for(vera, team=None)).conversation
    for n, question in enumerate(["where is my invoice", "still no invoice"]):
        await life.visitor_says(
            vera, conversation.id, text=question, client_id=f"q{n}", attachment_ids=[]
        )
    handed = await store.conversation_by_id(db, conversation.id)
    assert handed is not None
    assert handed.status == "queued"

    frozen.advance(minutes=45)  # Friday 17:15: the last 30 minutes were business hours
    await life.accept(conversation.id, ann)
    frozen.advance(hours=64)  # Monday 09:15: 15 more business minutes
    await life.agent_says(
        conversation.id, ann, text="Found it", client_id="a1", attachment_ids=[], internal=False
    )
    await life.resolve(conversation.id, by="agent", agent=ann)
    resolved = await life.conversation(conversation.id)
    await life.rate(resolved, 4, "quick enough")

    frozen.advance(days=1)
    await life.visitor_says(
        vera, conversation.id, text="one more", client_id="q3", attachment_ids=[]
    )

    first, second = await store.episodes_of(db, conversation.id)
    assert (first.rating, first.rating_comment) == (4, "quick enough")
    assert (first.handoff_reason, first.first_agent_id, first.resolved_by) == (
        "bot_unanswered",
        ann.id,
        "agent",
    )
    assert first.first_response_seconds == pytest.approx((45 + 64 * 60) * 60)
    assert first.first_response_business_seconds == pytest.approx(45 * 60)
    assert first.self_served is False
    assert (second.number, second.opened_by, second.rating, second.first_agent_id) == (
        2,
        "visitor",
        None,
        ann.id,
    )
    now = await life.conversation(conversation.id)
    assert (now.status, now.episode) == ("assigned", 2)
    summary = await life.conversations.summary(now)
    assert (summary.rating, summary.episode) == (None, 2)

    events = [(e.episode, e.type) for e in await store.events_of(db, conversation.id)]
    assert events == [
        (1, "created"),
        (1, "bot_answered"),
        (1, "bot_answered"),
        (1, "handoff"),
        (1, "queued"),
        (1, "assigned"),
        (1, "agent_reply"),
        (1, "first_response"),
        (1, "resolved"),
        (1, "rated"),
        (2, "reopened"),
        (2, "assigned"),
    ]


async def test_a_bot_only_episode_resolved_by_the_visitor_is_self_served(desk: Desk) -> None:
    db, life = desk.db, desk.life
    vera = await insert_visitor(db)
    conversation = (await life.open_for(vera, team=None)).conversation
    await life.visitor_says(vera, conversation.id, text="refunds", client_id="q", attachment_ids=[])
    await life.resolve(conversation.id, by="visitor")
    (episode,) = await store.episodes_of(db, conversation.id)
    assert (episode.resolved_by, episode.self_served, episode.first_agent_id) == (
        "visitor",
        True,
        None,
    )
    resolved = [e for e in await store.events_of(db, conversation.id) if e.type == "resolved"]
    assert [e.data for e in resolved] == [{"by": "visitor", "self_served": True}]


async def test_a_visitor_who_leaves_the_bot_is_resolved_by_timeout(
    desk: Desk, frozen: FrozenClock, repo_root: Path, tmp_path: Path
) -> None:
    db, life = desk.db, desk.life
    answered, unanswered = await insert_visitor(db), await insert_visitor(db)
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    shutil.copy(repo_root / "kb_articles" / "account-login" / "reset-password.md", kb_dir)
    kb = await asyncio.to_thread(KnowledgeBase.open, kb_dir, tmp_path / "index")
    desk.bot.kb = kb
    try:
        helped = (await life.open_for(answered, team=None)).conversation
        await life.visitor_says(
            answered,
            helped.id,
            text="How do I reset my password?",
            client_id="q",
            attachment_ids=[],
        )
        missed = (await life.open_for(unanswered, team=None)).conversation
        await life.visitor_says(
            unanswered, missed.id, text="zzyzx qwerty", client_id="q", attachment_ids=[]
        )
    finally:
        kb.close()
    await life.resolve_idle(quiet_since=clock.now())  # not yet quiet: nothing happens
    assert (await life.conversation(helped.id)).status == "bot"

    frozen.advance(minutes=31)
    await life.resolve_idle(quiet_since=clock.now() - timedelta(minutes=30))

    (episode,) = await store.episodes_of(db, helped.id)
    assert (episode.resolved_by, episode.bot_answers, episode.self_served) == ("timeout", 1, True)
    (episode,) = await store.episodes_of(db, missed.id)
    assert (episode.resolved_by, episode.bot_misses, episode.self_served) == ("timeout", 1, False)


async def test_a_transfer_records_who_handed_to_whom(desk: Desk) -> None:
    db, life = desk.db, desk.life
    vera, ann, bob = await insert_visitor(db), await _agent(db, "Ann"), await _agent(db, "Bob")
    conversation = (await life.open_for(vera, team=None)).conversation
    await life.handoff(conversation, "asked")
    await life.accept(conversation.id, ann)
    await life.transfer(conversation.id, ann, agent_id=bob.id, team=None, reason="billing")
    moved = await life.conversation(conversation.id)
    assert (moved.status, moved.assignee_id) == ("assigned", bob.id)
    (episode,) = await store.episodes_of(db, conversation.id)
    assert episode.first_agent_id == ann.id  # the first agent stays the first
    transferred = [e for e in await store.events_of(db, conversation.id) if e.type == "transferred"]
    assert [(e.actor_id, e.agent_id, e.data["from_agent"]) for e in transferred] == [
        (ann.id, bob.id, ann.id)
    ]


async def test_a_handoff_racing_its_teams_deletion_queues_in_the_default_team(
    desk: Desk,
) -> None:
    db, life = desk.db, desk.life
    billing = await identity_store.create_team(db, "Billing", None)
    vera = await insert_visitor(db)
    conversation = (await life.open_for(vera, team="Billing")).conversation
    assert conversation.team_id == billing.id  # the handoff's view ...
    await identity_store.delete_team(db, billing.id)  # ... goes stale here

    await life.handoff(conversation, "asked")

    queued = await store.conversation_by_id(db, conversation.id)
    support = await routing_store.team_id_by_name(db, "Support")
    assert queued is not None
    assert (queued.status, queued.team_id) == ("queued", support)
    (queued_event,) = [e for e in await store.events_of(db, conversation.id) if e.type == "queued"]
    assert queued_event.team_id == support
