"""The charts' series, the agents' report and the CSAT report against the hand count of the
history in conftest.py, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

from parley.db import Database
from parley.reports.charts import charts
from parley.reports.people import agents, csat
from parley.reports.period import Period
from parley.reports.store import Scope
from tests.reports.conftest import HOURS, History
from tests.reports.test_overview import FRI_TO_MON, WEEKEND_WAIT
from tests.support.clock import FrozenClock
from tests.support.desk import insert_visitor, open_desk


async def test_the_series_fall_on_the_sites_days_and_hours(db: Database, history: History) -> None:
    report = await charts(db, FRI_TO_MON, Scope())
    days = {day["day"]: day for day in report["days"]}
    assert [day["new"] for day in report["days"]] == [2, 0, 1, 2]  # early counts on Friday
    assert [day["resolved"] for day in report["days"]] == [0, 0, 1, 3]
    assert days["2026-12-07"]["first_response_median_seconds"] == 600
    assert days["2026-12-04"]["first_response_median_seconds"] is None
    assert (days["2026-12-06"]["ratings"], days["2026-12-06"]["csat_satisfied_share"]) == (1, 1.0)
    assert (days["2026-12-07"]["ratings"], days["2026-12-07"]["csat_satisfied_share"]) == (2, 0.5)
    grid = report["busiest_hours"]["counts"]
    busy = {(day, hour): n for day, row in enumerate(grid) for hour, n in enumerate(row) if n}
    # Fri 00:30 and 16:30, Sun 12:00, Mon 10:15 (the reopen) and 11:00, local
    assert busy == {(4, 0): 1, (4, 16): 1, (6, 12): 1, (0, 10): 1, (0, 11): 1}


async def test_each_agent_is_credited_with_what_they_did(db: Database, history: History) -> None:
    ann, bob = (await agents(db, FRI_TO_MON, Scope()))["agents"]
    assert ann == {
        "agent_id": history.ann.id,
        "name": "Ann",
        "handled": 3,  # invoice's two episodes and the transfer she passed on
        "first_response_median_seconds": (WEEKEND_WAIT + 600) / 2,
        "resolved": 2,
        "resolution_median_seconds": (WEEKEND_WAIT + 1800) / 2,
        "ratings": 2,
        "csat_satisfied_share": 0.5,
        "csat_average": 3.0,
        "reopen_rate": 0.5,  # invoice's first episode came back
        "online_seconds": 0.0,  # no presence was recorded in this history
    }
    assert bob == {
        "agent_id": history.bob.id,
        "name": "Bob",
        "handled": 1,
        "first_response_median_seconds": 600,
        "resolved": 1,
        "resolution_median_seconds": 1800,
        "ratings": 0,
        "csat_satisfied_share": None,
        "csat_average": None,
        "reopen_rate": 0.0,
        "online_seconds": 0.0,
    }


async def test_an_agent_given_the_same_episode_twice_handled_it_once(
    db: Database, history: History, frozen: FrozenClock
) -> None:
    """Tuesday: Ann takes a chat, passes it to Bob, gets it back, answers and resolves it."""
    life = open_desk(db, HOURS).life
    visitor = await insert_visitor(db, "Yuri", locale="en")
    conversation = (await life.open_for(visitor, team=None)).conversation
    await life.handoff(conversation, "asked")
    await life.accept(conversation.id, history.ann)
    await life.transfer(conversation.id, history.ann, agent_id=history.bob.id, team=None, reason="")
    await life.transfer(conversation.id, history.bob, agent_id=history.ann.id, team=None, reason="")
    frozen.moment += timedelta(minutes=4)
    await life.agent_says(
        conversation.id, history.ann, text="Hi", client_id="hi", attachment_ids=[], internal=False
    )
    await life.resolve(conversation.id, by="agent", agent=history.ann)
    tuesday = Period(date(2026, 12, 8), date(2026, 12, 8), HOURS.timezone)
    rows = {row["name"]: row for row in (await agents(db, tuesday, Scope()))["agents"]}
    assert (rows["Ann"]["handled"], rows["Ann"]["resolved"]) == (1, 1)
    assert rows["Ann"]["first_response_median_seconds"] == 240
    assert (rows["Bob"]["handled"], rows["Bob"]["resolved"]) == (1, 0)
    own = (await agents(db, tuesday, Scope(agent_id=history.ann.id)))["agents"]
    assert [(row["name"], row["handled"]) for row in own] == [("Ann", 1), ("Bob", 1)]


async def test_csat_lists_low_scores_first_with_links(db: Database, history: History) -> None:
    report = await csat(db, FRI_TO_MON, Scope())
    assert report["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert [(c["score"], c["comment"], c["agent"]) for c in report["comments"]] == [
        (2, "slow", "Ann"),
        (4, "fine", "Ann"),
        (5, "found it myself", None),
    ]
    assert report["comments"][0]["link"] == f"/console#conversation={history.invoice_id}"
