"""The quality and known-issues reports on both databases, over a history played through the
real lifecycle on a clock the test moves, every figure counted by hand (times UTC).

Targets: first response within 60 min, next response within 15 min (wall clock).
- Mon 30 Nov 10:00: c1 (team Billing) taken by Ann, answered 10:10 (on time).
- c2 (Billing) taken by Ann at 10:00, breached at 11:01, answered then (late).
- c3 (Sales) taken by Bob at 11:01, answered 11:06 (on time); the visitor writes 11:07, the
  next-response clock breaches at 11:23, Bob answers (late); the visitor writes 11:24, Bob
  answers 11:25 (on time).
- Reviews (IQS on 0-100) by Cid in the week of 30 Nov: c1 all 5 (100), c2 GOOD (57.5), c3 all 3
  (50); by Bob in the week of 7 Dec: c2 all 4 (75).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from parley.bus.memory import MemoryBus
from parley.conversation import store
from parley.conversation.service import ConversationService
from parley.conversation.store import Conversation
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Agent, Team, Visitor
from parley.knownissues import KnownIssues
from parley.quality import review, sla
from parley.quality.store import review as review_store
from parley.quality.store import sla as sla_store
from parley.quality.store.review import Handled
from parley.reports.catalog import REPORTS
from parley.reports.known_issues import known_issues
from parley.reports.period import Period
from parley.reports.quality import quality
from parley.reports.store import Scope
from tests.quality.conftest import HOURS, Desk, desk, moving, new_agent, new_visitor  # noqa: F401
from tests.support.clock import FrozenClock
from tests.support.factories import new_conversation

NewVisitor = Callable[[], Awaitable[Visitor]]
NewAgent = Callable[[str], Awaitable[Agent]]
UTC = ZoneInfo("UTC")
TWO_WEEKS = Period(date(2026, 11, 30), date(2026, 12, 13), UTC)
GOOD = {"empathy": 5, "solution": 3, "tone": 4, "media": 1}


def every(score: int) -> dict[str, int]:
    return dict.fromkeys(GOOD, score)


class Quality:
    def __init__(self, ann: Agent, bob: Agent, billing: Team, sales: Team) -> None:
        self.ann, self.bob, self.billing, self.sales = ann, bob, billing, sales


async def _build(
    desk: Desk,  # noqa: F811
    visitor: NewVisitor,
    agent: NewAgent,
    moving: FrozenClock,  # noqa: F811
) -> Quality:
    db, life = desk.db, desk.life
    await sla_store.create_target(
        db,
        **sla.validate_target(
            {"name": "Fast", "first_response_seconds": 3600, "next_response_seconds": 900}
        ),
    )
    ann, bob, cid = await agent("Ann"), await agent("Bob"), await agent("Cid")
    billing = await identity_store.create_team(db, "Billing", None)
    sales = await identity_store.create_team(db, "Sales", None)

    async def taken(team: Team, by: Agent) -> tuple[Visitor, Conversation]:
        someone = await visitor()
        conversation = (await life.open_for(someone, team=None)).conversation
        await life.handoff(conversation, "asked")
        await life.accept(conversation.id, by)
        moved = await store.update_conversation(db, conversation.id, team_id=team.id)
        assert moved is not None
        return someone, moved

    async def answer(conversation: Conversation, by: Agent, n: int) -> None:
        await life.agent_says(
            conversation.id, by, text="On it", client_id=f"a{n}", attachment_ids=[], internal=False
        )

    async def again(who: Visitor, conversation: Conversation, n: int) -> None:
        await life.visitor_says(
            who, conversation.id, text="and?", client_id=f"v{n}", attachment_ids=[]
        )

    _, c1 = await taken(billing, ann)
    _, c2 = await taken(billing, ann)
    moving.advance(minutes=10)
    await answer(c1, ann, 1)
    moving.advance(minutes=51)
    await sla.check(db, life, HOURS)  # c2's first-response clock ran out
    await answer(c2, ann, 2)
    vera, c3 = await taken(sales, bob)
    moving.advance(minutes=5)
    await answer(c3, bob, 3)
    moving.advance(minutes=1)
    await again(vera, c3, 1)
    moving.advance(minutes=16)
    await sla.check(db, life, HOURS)  # c3's next-response clock ran out
    await answer(c3, bob, 4)
    moving.advance(minutes=1)
    await again(vera, c3, 2)
    moving.advance(minutes=1)
    await answer(c3, bob, 5)
    for conversation, by in ((c1, ann), (c2, ann), (c3, bob)):
        await life.resolve(conversation.id, by="agent", agent=by)

    async def week_of_reviews(reviewer: Agent, given: list[tuple[Handled, dict[str, int]]]) -> None:
        week = review.week_of(moving.moment)
        drawn = await review_store.add_assignments(db, week, reviewer.id, [h for h, _ in given])
        for assignment, (_, scores) in zip(drawn, given, strict=True):
            await review.submit(db, reviewer, assignment.id, scores, None)

    await week_of_reviews(
        cid,
        [
            (Handled(c1.id, 1, ann.id, billing.id), every(5)),
            (Handled(c2.id, 1, ann.id, billing.id), GOOD),
            (Handled(c3.id, 1, bob.id, sales.id), every(3)),
        ],
    )
    moving.advance(days=7)
    await week_of_reviews(bob, [(Handled(c2.id, 1, ann.id, billing.id), every(4))])
    return Quality(ann, bob, billing, sales)


@pytest.fixture
async def seen(
    desk: Desk,  # noqa: F811
    new_visitor: NewVisitor,  # noqa: F811
    new_agent: NewAgent,  # noqa: F811
    moving: FrozenClock,  # noqa: F811
) -> Quality:
    return await _build(desk, new_visitor, new_agent, moving)


def _figures(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(row[key] for key in ("name", "first_responses", "on_time", "compliance"))


async def test_compliance_and_iqs_per_agent_team_and_week(db: Database, seen: Quality) -> None:
    report = await quality(db, TWO_WEEKS, Scope())
    assert [_figures(row) for row in report["compliance_agents"]] == [
        ("Ann", 2, 1, 0.5),
        ("Bob", 1, 1, 1.0),
    ]
    (bobs,) = [row for row in report["compliance_agents"] if row["name"] == "Bob"]
    assert (bobs["next_responses"], bobs["next_on_time"], bobs["next_compliance"]) == (2, 1, 0.5)
    assert (bobs["first_breaches"], bobs["next_breaches"]) == (0, 1)
    assert [_figures(row) for row in report["compliance_teams"]] == [
        ("Billing", 2, 1, 0.5),
        ("Sales", 1, 1, 1.0),
    ]
    assert [(r["name"], r["reviews"], r["iqs"]) for r in report["iqs_agents"]] == [
        ("Ann", 3, 77.5),  # (100 + 57.5 + 75) / 3
        ("Bob", 1, 50.0),
    ]
    assert [(r["name"], r["reviews"], r["iqs"]) for r in report["iqs_teams"]] == [
        ("Billing", 3, 77.5),
        ("Sales", 1, 50.0),
    ]
    assert report["iqs_weeks"] == [
        {"week": "2026-11-30", "reviews": 3, "iqs": 69.2},  # (100 + 57.5 + 50) / 3
        {"week": "2026-12-07", "reviews": 1, "iqs": 75.0},
    ]
    assert [(r["week"], r["name"], r["iqs"]) for r in report["iqs_agent_weeks"]] == [
        ("2026-11-30", "Ann", 78.8),  # (100 + 57.5) / 2 = 78.75
        ("2026-11-30", "Bob", 50.0),
        ("2026-12-07", "Ann", 75.0),
    ]
    assert [(r["week"], r["name"]) for r in report["iqs_team_weeks"]] == [
        ("2026-11-30", "Billing"),
        ("2026-11-30", "Sales"),
        ("2026-12-07", "Billing"),
    ]

    first_week = Period(date(2026, 11, 30), date(2026, 12, 6), UTC)
    earlier = await quality(db, first_week, Scope())
    assert [(r["name"], r["reviews"]) for r in earlier["iqs_agents"]] == [("Ann", 2), ("Bob", 1)]
    before = await quality(db, Period(date(2026, 11, 1), date(2026, 11, 29), UTC), Scope())
    assert before["compliance_agents"] == []
    assert before["iqs_weeks"] == []


async def test_one_agent_or_one_team_sees_only_its_rows(db: Database, seen: Quality) -> None:
    bob = await quality(db, TWO_WEEKS, Scope(agent_id=seen.bob.id))
    assert [_figures(row) for row in bob["compliance_agents"]] == [("Bob", 1, 1, 1.0)]
    assert [_figures(row) for row in bob["compliance_teams"]] == [("Sales", 1, 1, 1.0)]
    assert [r["name"] for r in bob["iqs_agents"]] == ["Bob"]
    assert bob["iqs_weeks"] == [{"week": "2026-11-30", "reviews": 1, "iqs": 50.0}]

    billing = await quality(db, TWO_WEEKS, Scope(team_id=seen.billing.id))
    assert [r["name"] for r in billing["compliance_agents"]] == ["Ann"]
    assert [r["name"] for r in billing["compliance_teams"]] == ["Billing"]
    assert [(r["name"], r["iqs"]) for r in billing["iqs_agents"]] == [("Ann", 77.5)]

    csv = REPORTS["quality"].csv(bob)
    assert csv.startswith("compliance_agents\nagent_id,name,first_responses,on_time,compliance,")
    assert f"{seen.bob.id},Bob,1,1,1.0,2,1,0.5,0,1\n" in csv
    assert "iqs_weeks\nweek,reviews,iqs\n2026-11-30,1,50.0\n" in csv


async def test_known_issues_live_in_the_period_with_their_counts(
    db: Database,
    moving: FrozenClock,  # noqa: F811
) -> None:
    conversations = ConversationService(db, MemoryBus())
    issues = KnownIssues(db, conversations, mail_after=timedelta(minutes=5))
    ada = await identity_store.insert_agent(
        db, email="ada@example.com", name="Ada", password_hash="x", role="admin"
    )

    async def linked(issue_id: str, count: int) -> list[Conversation]:
        found = [await new_conversation(db, status="assigned") for _ in range(count)]
        for conversation in found:
            await issues.link(ada, issue_id, conversation.id)
        return found

    old = await issues.create(ada, "Old outage", None)  # Mon 30 Nov, fixed before the period
    await linked(old.id, 1)
    await issues.mark_fixed(ada, old.id, "Fixed.")
    login = await issues.create(ada, "Login fails", "https://tracker.test/42")
    reader, replier, _ = await linked(login.id, 3)
    moving.advance(days=2)  # Wed 2 Dec
    await issues.mark_fixed(ada, login.id, "Login works again.")
    await store.update_conversation(db, reader.id, visitor_read_seq=1)
    await conversations.post(
        replier.id, author_kind="visitor", author_id=None, author_name=None, text="Works"
    )
    moving.advance(days=1)  # Thu 3 Dec
    export = await issues.create(ada, "Export is slow", None)
    await linked(export.id, 1)
    moving.advance(days=7)  # Thu 10 Dec: after the period
    await issues.create(ada, "Later", None)

    report = await known_issues(db, Period(date(2026, 12, 1), date(2026, 12, 7), UTC), Scope())
    assert [
        (i["title"], i["status"], i["linked"], i["notified"], i["read"], i["replied"])
        for i in report["issues"]
    ] == [("Export is slow", "open", 1, 0, 0, 0), ("Login fails", "fixed", 3, 3, 1, 1)]
    assert report["issues"][1]["fixed_at"] == "2026-12-02T10:00:00.000Z"
    assert report["totals"] == {
        "open": 1,
        "fixed": 1,
        "conversations": 4,
        "notified": 3,
        "read": 1,
        "replied": 1,
    }
    csv = REPORTS["known_issues"].csv(report)
    assert "\ntotals\nopen,fixed,conversations,notified,read,replied\n1,1,4,3,1,1\n" in csv
    assert f"{login.id},Login fails,fixed," in csv
