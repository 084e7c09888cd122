"""Retention against a hand count, on both databases: customers from ``Parley.identify``
attributes, CRR, churn and CLV for December 2026 (Ljubljana; every date below is in winter
time, so a day is 24 hours), and churn beside support experience played through the real
lifecycle, ratings and the first-response target check.

| user | customer_since | churned_at | revenue | purchases | in December |
|---|---|---|---|---|---|
| c1 | 2025-01-01 | | 1000 | 10 | at start and end |
| c2 | 2025-02-01 | 2026-12-10 | 300 | 3 | at start, lost |
| c3 | 2026-12-05 | | 100 | 1 | new (revenue told by an update) |
| c4 | 2024-01-01 | 2026-02-01 | 500 | 5 | gone before |
| c5 | 2026-01-01 | 2026-12-20 | 200 | 4 | at start, lost |
| c6 | 2026-12-15 | 2026-12-25 | 50 | 1 | new and gone |

S = {c1, c2, c5} = 3, E = {c1, c3} = 2, N = {c3, c6} = 2, lost = {c2, c5} = 2:
CRR = (2 - 2) / 3 = 0 %, churn = 2 / 3 = 66.67 %.
CLV over c1, c2, c3, c5, c6 (customers at some moment of December): revenue 1650, purchases
19, tenure to churn or 1 Jan 2027: 730 + 677 + 27 + 353 + 10 = 1797 days; lifespan of all who
churned (c2 677, c4 762, c5 353, c6 10 days) = 450.5 days. CLV = 1650/19 x 19/(1797/365.25)
x 450.5/365.25 = 1650 x 450.5 / 1797.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.agents import create_agent
from parley.identity.store import Agent, Visitor
from parley.identity.visitors import VisitorProfile, expected_user_hash, update_visitor
from parley.quality import sla
from parley.quality.store import sla as sla_store
from parley.reports.catalog import REPORTS
from parley.reports.period import Period
from parley.reports.retention import retention
from parley.reports.store import Scope
from tests.conftest import PASSWORD
from tests.reports.conftest import HOURS
from tests.support.clock import FrozenClock
from tests.support.desk import open_desk

DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), HOURS.timezone)


async def _customer(db: Database, user_id: str | None, **attributes: Any) -> Visitor:
    return await identity_store.insert_visitor(
        db,
        name=user_id,
        email=None,
        locale="en",
        page_url=None,
        referrer=None,
        user_agent=None,
        attributes=attributes,
        user_id=user_id,
        verified=user_id is not None,
    )


async def build_customers(db: Database, frozen: FrozenClock) -> None:
    life = open_desk(db, HOURS).life
    ann: Agent = await create_agent(db, email="ann@example.com", name="Ann", password=PASSWORD)
    await sla_store.create_target(
        db, **sla.validate_target({"name": "An hour", "first_response_seconds": 3600})
    )

    async def supported(visitor: Visitor, score: int, *, wait_minutes: int = 5) -> None:
        """A conversation (or the customer's again: a reopen) handed over, answered after
        ``wait_minutes``, resolved, rated."""
        conversation = (await life.open_for(visitor, team=None)).conversation
        if conversation.status == "resolved":
            await life.reopen_by_visitor(conversation)  # back with Ann, its episode 2
        else:
            await life.handoff(conversation, "asked")
            await life.accept(conversation.id, ann)
        frozen.moment += timedelta(minutes=wait_minutes)
        await sla.check(db, life, HOURS)  # past the hour: the first response is late
        await life.agent_says(
            conversation.id, ann, text="Hello", client_id="r", attachment_ids=[], internal=False
        )
        await life.rate(await life.resolve(conversation.id, by="agent", agent=ann), score, None)

    frozen.at(2026, 11, 1, 12, 0)
    await _customer(db, "c1", customer_since="2020-01-01", revenue=1)  # an older record of c1
    frozen.at(2026, 11, 20, 12, 0)
    c1 = await _customer(db, "c1", customer_since="2025-01-01", revenue=1000, purchases=10)
    c2 = await _customer(
        db, "c2", customer_since="2025-02-01", churned_at="2026-12-10", revenue=300, purchases=3
    )
    c3 = await _customer(db, "c3", customer_since="2026-12-05")
    await _customer(
        db, "c4", customer_since="2024-01-01", churned_at="2026-02-01", revenue=500, purchases=5
    )
    c5 = await _customer(
        db, "c5", customer_since="2026-01-01", churned_at="2026-12-20", revenue=200, purchases=4
    )
    await _customer(
        db, "c6", customer_since="2026-12-15", churned_at="2026-12-25", revenue=50, purchases=1
    )
    await _customer(db, "c7", plan="Pro")  # identified, but not said to be a customer
    await _customer(db, "c8", customer_since="last spring")  # unreadable
    await _customer(db, None, customer_since="2025-01-01")  # anonymous: never a customer

    await supported(c2, 4, wait_minutes=61)  # Nov 20: waited past the target, yet rated 4
    frozen.at(2026, 12, 1, 10, 0)
    await supported(c5, 5)
    frozen.at(2026, 12, 3, 10, 0)
    await supported(c1, 5)
    frozen.at(2026, 12, 8, 10, 0)
    await supported(c2, 1)  # came back, rated 1, left on the 10th
    frozen.at(2026, 12, 22, 10, 0)
    await supported(c5, 2)  # after c5 left on the 20th: not what they left over
    # c3's first purchase, told by Parley.identify while registered.
    await update_visitor(
        db,
        c3.id,
        VisitorProfile(
            user_id="c3",
            user_hash=expected_user_hash("site-secret", "c3"),
            attributes={"revenue": 100, "purchases": 1},
        ),
        identity_secret="site-secret",
    )
    frozen.at(2027, 1, 2, 12, 0)


async def test_retention_figures_match_the_hand_count(db: Database, frozen: FrozenClock) -> None:
    await build_customers(db, frozen)
    report = await retention(db, DECEMBER, Scope())
    figures = {key: report[key] for key in report if key not in ("period", "clv", "by_experience")}
    assert figures == {
        "empty": False,
        "customers": 6,
        "unreadable": 1,
        "customers_at_start": 3,
        "customers_at_end": 2,
        "new_customers": 2,
        "lost_customers": 2,
        "retention_rate": 0.0,
        "churn_rate": 66.67,
        "example": report["example"],
    }
    assert report["clv"] == {
        "customers": 5,
        "average_purchase_value": round(1650 / 19, 2),
        "purchase_frequency_per_year": round(19 / (1797 / 365.25), 4),
        "lifespan_years": round(450.5 / 365.25, 4),
        "value": round(1650 * 450.5 / 1797, 2),
    }
    assert report["by_experience"] == [
        {"group": "last_rating_1_2", "customers": 1, "lost": 1, "churn_rate": 100.0},
        {"group": "last_rating_4_5", "customers": 2, "lost": 1, "churn_rate": 50.0},
        {
            "group": "waited_past_first_response_target",
            "customers": 1,
            "lost": 1,
            "churn_rate": 100.0,
        },
        {"group": "first_responses_within_target", "customers": 2, "lost": 1, "churn_rate": 50.0},
    ]
    lines = REPORTS["retention"].csv(report).splitlines()
    assert "churn_rate,66.67" in lines
    assert "clv.customers,5" in lines
    assert lines[-5:-3] == ["group,customers,lost,churn_rate", "last_rating_1_2,1,1,100.0"]


async def test_the_period_before_counts_from_its_own_start(
    db: Database, frozen: FrozenClock
) -> None:
    await build_customers(db, frozen)
    november = await retention(
        db, Period(date(2026, 11, 1), date(2026, 11, 30), HOURS.timezone), Scope()
    )
    # c1, c2, c5 at start and end; c4 gone in February; nobody new or lost in November.
    assert (november["customers_at_start"], november["customers_at_end"]) == (3, 3)
    assert (november["retention_rate"], november["churn_rate"]) == (100.0, 0.0)


@pytest.mark.parametrize("attributes", [{}, {"plan": "Pro"}])
async def test_without_customer_attributes_the_report_shows_what_to_send(
    db: Database, attributes: dict[str, Any]
) -> None:
    await _customer(db, "u1", **attributes)
    report = await retention(db, DECEMBER, Scope())
    assert report["empty"] is True
    assert report["customers"] == 0
    assert report["retention_rate"] is None
    assert "customer_since:" in report["example"]
    assert "Parley.identify(" in report["example"]
