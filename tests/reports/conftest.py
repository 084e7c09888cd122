"""A known history, played through the real lifecycle on a frozen clock, whose every figure
is counted by hand in the tests. Times are UTC; the site is in Ljubljana (UTC+1 in December),
open mon-fri 09:00-17:00; the report's period is Fri 4 - Mon 7 December, local.

- early: Thu 3 Dec 23:30 (Fri 00:30 local) a question, left with the bot. Inside: Friday locally.
- invoice: Fri 15:30 two misses hand it over; Ann accepts 16:15; replies and resolves Mon 08:15
  (a weekend wait); rated 4. The visitor writes again Mon 09:15: episode 2, Ann's again; she
  replies 09:25 and resolves 09:45; rated 2. One conversation, two episodes.
- refunds: Sun 6 Dec 11:00 a question, resolved by the visitor 11:05, rated 5: bot-only.
- transfer: Mon 10:00 asks for a person (locale de, label billing); Ann accepts and transfers
  to Bob 10:05; Bob replies 10:10 and resolves 10:30.
- late: Mon 7 Dec 23:30 (Tue 00:30 local) a question. Outside: Tuesday locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from parley.conversation.store.labels import add_label
from parley.db import Database
from parley.identity.agents import create_agent
from parley.identity.store import Agent, Visitor
from parley.knownissues import store as issue_store
from parley.quality import review
from parley.quality.store import review as review_store
from parley.quality.store.review import Handled
from parley.routing.hours import parse_business_hours
from tests.conftest import PASSWORD
from tests.support.clock import FrozenClock, freeze
from tests.support.desk import insert_visitor, open_desk

HOURS = parse_business_hours("mon-fri 09:00-17:00", "Europe/Ljubljana")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return freeze(monkeypatch, datetime(2026, 12, 1, tzinfo=UTC))


@dataclass
class History:
    ann: Agent
    bob: Agent
    invoice_id: str
    transfer_id: str
    early_id: str
    late_id: str


async def _visitor(db: Database, name: str, locale: str = "en") -> Visitor:
    return await insert_visitor(db, name, locale=locale)


async def _agent(db: Database, name: str) -> Agent:
    return await create_agent(db, email=f"{name.lower()}@example.com", name=name, password=PASSWORD)


async def build_history(db: Database, frozen: FrozenClock) -> History:
    life = open_desk(db, HOURS).life
    ann, bob = await _agent(db, "Ann"), await _agent(db, "Bob")

    async def ask(visitor: Visitor, conversation_id: str, text: str) -> None:
        await life.visitor_says(
            visitor, conversation_id, text=text, client_id=text, attachment_ids=[]
        )

    async def reply(conversation_id: str, agent: Agent, text: str) -> None:
        await life.agent_says(
            conversation_id, agent, text=text, client_id=text, attachment_ids=[], internal=False
        )

    frozen.at(2026, 12, 3, 23, 30)
    early = await _visitor(db, "Early")
    early_id = (await life.open_for(early, team=None)).conversation.id
    await ask(early, early_id, "hello")

    frozen.at(2026, 12, 4, 15, 30)
    vera = await _visitor(db, "Vera")
    invoice = (await life.open_for(vera, team=None)).conversation
    await ask(vera, invoice.id, "where is my invoice")
    await ask(vera, invoice.id, "still no invoice")  # the second miss hands it over
    frozen.at(2026, 12, 4, 16, 15)
    await life.accept(invoice.id, ann)

    frozen.at(2026, 12, 6, 11, 0)
    xena = await _visitor(db, "Xena")
    refunds = (await life.open_for(xena, team=None)).conversation
    await ask(xena, refunds.id, "refunds")
    frozen.moment += timedelta(minutes=5)
    await life.rate(await life.resolve(refunds.id, by="visitor"), 5, "found it myself")

    frozen.at(2026, 12, 7, 8, 15)
    await reply(invoice.id, ann, "Found it")
    await life.rate(await life.resolve(invoice.id, by="agent", agent=ann), 4, "fine")
    frozen.at(2026, 12, 7, 9, 15)
    await ask(vera, invoice.id, "one more thing")  # episode 2, back with Ann
    frozen.at(2026, 12, 7, 9, 25)
    await reply(invoice.id, ann, "Sure")
    frozen.at(2026, 12, 7, 9, 45)
    await life.rate(await life.resolve(invoice.id, by="agent", agent=ann), 2, "slow")

    frozen.at(2026, 12, 7, 10, 0)
    walt = await _visitor(db, "Walt", locale="de")
    transfer = (await life.open_for(walt, team=None)).conversation
    await add_label(db, transfer.id, "billing")
    await life.handoff(transfer, "asked")
    await life.accept(transfer.id, ann)
    frozen.at(2026, 12, 7, 10, 5)
    await life.transfer(transfer.id, ann, agent_id=bob.id, team=None, reason="billing")
    frozen.at(2026, 12, 7, 10, 10)
    await reply(transfer.id, bob, "Hello from billing")
    frozen.at(2026, 12, 7, 10, 30)
    await life.resolve(transfer.id, by="agent", agent=bob)

    frozen.at(2026, 12, 7, 23, 30)
    late = await _visitor(db, "Late")
    late_id = (await life.open_for(late, team=None)).conversation.id
    await ask(late, late_id, "hi")

    frozen.at(2026, 12, 8, 12, 0)
    return History(ann, bob, invoice.id, transfer.id, early_id, late_id)


@pytest.fixture
async def history(db: Database, frozen: FrozenClock) -> History:
    return await build_history(db, frozen)


async def add_reviews_and_an_issue(db: Database, frozen: FrozenClock, history: History) -> None:
    """On Mon 7 Dec 12:00 (UTC): Bob scores Ann's first invoice episode all 5 (IQS 100), Ann
    scores Bob's transfer 5/3/4/1 (IQS 57.5); a known issue, still open, is linked to the
    invoice conversation."""
    frozen.at(2026, 12, 7, 12, 0)
    week = review.week_of(frozen.now())
    for reviewer, handled, scores in (
        (history.bob, Handled(history.invoice_id, 1, history.ann.id, None), [5, 5, 5, 5]),
        (history.ann, Handled(history.transfer_id, 1, history.bob.id, None), [5, 3, 4, 1]),
    ):
        (assignment,) = await review_store.add_assignments(db, week, reviewer.id, [handled])
        keys = [criterion["key"] for criterion in review.DEFAULT_CRITERIA]
        await review.submit(db, reviewer, assignment.id, dict(zip(keys, scores, strict=True)), None)
    issue = await issue_store.create_issue(
        db, title="Invoices are late", tracker_url=None, agent_id=history.ann.id
    )
    await issue_store.link(db, issue.id, history.invoice_id, history.ann.id)
    frozen.at(2026, 12, 8, 12, 0)
