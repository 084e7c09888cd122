"""Response clocks over both databases through the real lifecycle: the strictest target that
applies, first and next responses, business hours, a breach recorded once and escalated, and
compliance per agent and team read back from the event log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from parley import clock
from parley.config import Settings
from parley.conversation import store
from parley.conversation.store import Conversation
from parley.errors import BadRequest
from parley.identity import store as identity_store
from parley.identity.store import Agent, Visitor
from parley.mail import store as mail_store
from parley.mail.compose import Cancel, MailComposer
from parley.mail.store import Composed
from parley.mail.tokens import MailTokens
from parley.quality import sla
from parley.quality.store import sla as sla_store
from tests.quality.conftest import HOURS, Desk
from tests.support.clock import FrozenClock

NewVisitor = Callable[[], Awaitable[Visitor]]
NewAgent = Callable[[str], Awaitable[Agent]]
HOUR = 3600


async def _target(desk: Desk, **fields: Any) -> None:
    values = {"name": "Within the hour", "first_response_seconds": HOUR, **fields}
    await sla_store.create_target(desk.db, **sla.validate_target(values))


async def _waiting(desk: Desk, visitor: Visitor, agent: Agent) -> Conversation:
    conversation = (await desk.life.open_for(visitor, team=None)).conversation
    await desk.life.handoff(conversation, "asked")
    return await desk.life.accept(conversation.id, agent)


async def _reply(desk: Desk, conversation: Conversation, agent: Agent, n: int) -> None:
    await desk.life.agent_says(
        conversation.id, agent, text="On it", client_id=f"r{n}", attachment_ids=[], internal=False
    )


async def _clocks(desk: Desk) -> dict[str, sla.Clock]:
    return {c.conversation_id: c for c in await sla.running_clocks(desk.db, HOURS)}


async def test_first_then_next_response_clocks_and_a_breach_recorded_once(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    db = desk.db
    await _target(desk, next_response_seconds=15 * 60, escalation="notify")
    ann, vera = await new_agent("Ann"), await new_visitor()
    conversation = await _waiting(desk, vera, ann)

    moving.advance(minutes=30)
    running = (await _clocks(desk))[conversation.id]
    assert (running.kind, running.remaining_seconds, running.breached) == ("first", 1800, False)
    assert await sla.check(db, desk.life, HOURS) == []

    moving.advance(minutes=31)
    assert [c.kind for c in await sla.check(db, desk.life, HOURS)] == ["first"]
    assert await sla.check(db, desk.life, HOURS) == []  # recorded once, however often checked
    events = await store.events_of(db, conversation.id)
    (breach,) = [e for e in events if e.type == "sla_breached"]
    assert (breach.data["kind"], breach.data["target_seconds"], breach.agent_id) == (
        "first",
        HOUR,
        ann.id,
    )
    notes = await store.read_since(db, conversation.id, 0, include_internal=True)
    assert any("first-response target" in m.text and m.internal for m in notes)

    await _reply(desk, conversation, ann, 1)
    assert conversation.id not in await _clocks(desk)  # answered: nothing is due
    moving.advance(minutes=5)
    await desk.life.visitor_says(
        vera, conversation.id, text="and?", client_id="q", attachment_ids=[]
    )
    moving.advance(minutes=10)
    running = (await _clocks(desk))[conversation.id]
    assert (running.kind, running.remaining_seconds) == ("next", 300)
    moving.advance(minutes=6)
    assert [c.kind for c in await sla.check(db, desk.life, HOURS)] == ["next"]


async def test_the_strictest_target_that_applies_wins(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent
) -> None:
    db = desk.db
    billing = await identity_store.create_team(db, "Billing", None)
    await _target(desk)
    await _target(
        desk,
        name="Billing",
        applies_to="team",
        applies_value=billing.id,
        first_response_seconds=1800,
    )
    await _target(
        desk, name="Urgent", applies_to="label", applies_value="urgent", first_response_seconds=600
    )
    await _target(desk, name="Verified", applies_to="verified", first_response_seconds=300)
    ann = await new_agent("Ann")
    plain, urgent = [await _waiting(desk, await new_visitor(), ann) for _ in range(2)]
    await store.update_conversation(db, plain.id, team_id=billing.id)
    await store.labels.add_label(db, urgent.id, "urgent", created_by=ann.id)
    clocks = await _clocks(desk)
    assert (clocks[plain.id].target.name, clocks[urgent.id].target.name) == ("Billing", "Urgent")
    assert list(clocks) == [urgent.id, plain.id]  # most urgent first


async def test_business_hours_stop_the_clock_overnight(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    await _target(desk, business_hours=True)
    moving.advance(hours=6, minutes=30)  # Monday 16:30, half an hour before closing
    conversation = await _waiting(desk, await new_visitor(), await new_agent("Ann"))
    moving.advance(hours=1)  # 17:30: closed
    evening = (await _clocks(desk))[conversation.id]
    assert (evening.remaining_seconds, evening.ticking) == (1800, False)
    moving.advance(hours=15, minutes=59)  # Tuesday 09:29
    assert (await _clocks(desk))[conversation.id].remaining_seconds == 60
    moving.advance(minutes=2)
    assert [c.conversation_id for c in await sla.check(desk.db, desk.life, HOURS)] == [
        conversation.id
    ]


async def test_reassign_puts_an_overdue_conversation_back_in_the_queue(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    await _target(desk, escalation="reassign")
    conversation = await _waiting(desk, await new_visitor(), await new_agent("Ann"))
    moving.advance(minutes=61)
    await sla.check(desk.db, desk.life, HOURS)
    requeued = await store.conversation_by_id(desk.db, conversation.id)
    assert requeued is not None
    assert (requeued.status, requeued.assignee_id) == ("queued", None)
    queued = [e for e in await store.events_of(desk.db, conversation.id) if e.type == "queued"]
    assert queued[-1].data["reason"] == "sla_breached"


async def test_escalation_by_mail_queues_one_mail_per_team_agent_with_the_breach(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    db = desk.db
    await _target(desk, escalation="mail")
    ann, bob, cleo, dan = [await new_agent(name) for name in ("Ann", "Bob", "Cleo", "Dan")]
    billing = await identity_store.create_team(db, "Billing", None)
    for member in (ann, bob, cleo):
        await identity_store.add_team_member(db, billing.id, member.id)
    await mail_store.set_agent_mail(db, cleo.id, False)  # Cleo turned mail off
    conversation = await _waiting(desk, await new_visitor(), dan)
    await store.update_conversation(db, conversation.id, team_id=billing.id)
    moving.advance(minutes=61)
    assert [c.kind for c in await sla.check(db, desk.life, HOURS)] == ["first"]
    assert await sla.check(db, desk.life, HOURS) == []
    queued = [m for m in await mail_store.recent(db) if m.kind == "sla_breached"]
    assert sorted(m.agent_id for m in queued) == sorted([ann.id, bob.id])  # not Dan: not Billing
    assert {m.conversation_id for m in queued} == {conversation.id}
    (breach,) = [e for e in await store.events_of(db, conversation.id) if e.type == "sla_breached"]
    assert breach.data["escalation"] == "mail"
    notes = await store.read_since(db, conversation.id, 0, include_internal=True)
    assert any("The team has been mailed." in m.text for m in notes)

    composer = MailComposer(db, Settings(), MailTokens("k" * 32))
    written = await composer.compose(queued[0])
    assert isinstance(written, Composed)
    assert written.subject == "Missed: the first-response target Within the hour"
    assert "(60 min) was missed in a conversation with Vera" in written.text_body
    await desk.life.resolve(conversation.id, by="agent", agent=dan)
    assert isinstance(await composer.compose(queued[1]), Cancel)  # resolved meanwhile


async def test_compliance_per_agent_and_team_comes_from_the_events(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    await _target(desk)
    start = clock.now()
    ann = await new_agent("Ann")
    on_time, late = [await _waiting(desk, await new_visitor(), ann) for _ in range(2)]
    moving.advance(minutes=10)
    await _reply(desk, on_time, ann, 1)
    moving.advance(minutes=55)
    await sla.check(desk.db, desk.life, HOURS)
    await _reply(desk, late, ann, 2)

    report = await sla.compliance(desk.db, start, clock.now() + timedelta(seconds=1))
    assert report["agents"][ann.id] == {
        "first_responses": 2,
        "on_time": 1,
        "next_responses": 0,
        "next_on_time": 0,
        "first_breaches": 1,
        "next_breaches": 0,
        "compliance": 0.5,
        "next_compliance": None,
    }
    (team,) = report["teams"].values()
    assert team["compliance"] == 0.5


async def test_next_response_compliance_counts_each_wait_once(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    await _target(desk, next_response_seconds=15 * 60)
    start = clock.now()
    ann, bob = await new_agent("Ann"), await new_agent("Bob")
    vera = await new_visitor()
    conversation = await _waiting(desk, vera, ann)
    await _reply(desk, conversation, ann, 1)  # the first response: not a next one
    moving.advance(minutes=1)

    async def visitor_says(n: int) -> None:
        await desk.life.visitor_says(
            vera, conversation.id, text="and?", client_id=f"v{n}", attachment_ids=[]
        )

    await visitor_says(1)
    moving.advance(minutes=5)
    await visitor_says(2)  # still the same wait
    moving.advance(minutes=5)
    await _reply(desk, conversation, ann, 2)  # on time (10 minutes)
    await _reply(desk, conversation, ann, 3)  # a second reply in a row answers nothing new
    moving.advance(minutes=1)
    await visitor_says(3)
    moving.advance(minutes=16)
    await sla.check(desk.db, desk.life, HOURS)  # the next-response breach
    await _reply(desk, conversation, ann, 4)  # late
    await store.update_conversation(desk.db, conversation.id, assignee_id=bob.id)
    moving.advance(minutes=1)
    await visitor_says(4)
    moving.advance(minutes=1)
    await _reply(desk, conversation, bob, 5)  # Bob, on time

    report = await sla.compliance(desk.db, start, clock.now() + timedelta(seconds=1))
    mine, his = report["agents"][ann.id], report["agents"][bob.id]
    assert (mine["next_responses"], mine["next_on_time"], mine["next_compliance"]) == (2, 1, 0.5)
    assert (his["next_responses"], his["next_on_time"], his["next_compliance"]) == (1, 1, 1.0)
    assert mine["next_breaches"] == 1
    (team,) = report["teams"].values()
    assert (team["next_responses"], team["next_on_time"]) == (3, 2)
    earlier = await sla.compliance(desk.db, start - timedelta(days=1), start)
    assert earlier["agents"] == {}


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"applies_to": "planet"},
        {"applies_to": "team"},  # which team?
        {"first_response_seconds": 5},
        {"first_response_seconds": None},  # and no next-response target either
        {"escalation": "shout"},
        {"business_hours": "yes"},
    ],
)
def test_a_bad_target_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(BadRequest):
        sla.validate_target({"name": "Hour", "first_response_seconds": HOUR, **fields})
