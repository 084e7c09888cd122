"""The overview against a hand count of the history in conftest.py, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from parley.db import Database
from parley.reports.overview import compared, percentile
from parley.reports.period import Period
from parley.reports.store import Scope
from tests.reports.conftest import HOURS, History

FRI_TO_MON = Period(date(2026, 12, 4), date(2026, 12, 7), HOURS.timezone)
WEEKEND_WAIT = (45 + 64 * 60) * 60  # Fri 16:30 → Mon 09:15 local: 64 h 45 min
WEEKEND_BUSINESS = 45 * 60  # 16:30-17:00 Friday and 09:00-09:15 Monday


async def test_every_figure_matches_the_hand_count(db: Database, history: History) -> None:
    report = await compared(db, FRI_TO_MON, Scope())
    now = report["current"]
    # early, invoice, refunds, transfer are new; invoice's second episode is the reopen.
    assert now["conversations"] == {
        "new": 4,
        "reopened": 1,
        "handed_to_person": 3,
        "resolved": 4,
    }
    assert now["self_service"] == {"self_served": 1, "deflection": 0.25}
    # invoice 1 waited the weekend; invoice 2 and the transfer waited 10 minutes in hours.
    assert now["first_response"] == {
        "count": 3,
        "median_seconds": 600,
        "p90_seconds": pytest.approx(600 + (WEEKEND_WAIT - 600) * 0.8),
        "business_median_seconds": 600,
        "business_p90_seconds": pytest.approx(600 + (WEEKEND_BUSINESS - 600) * 0.8),
    }
    # resolution of the three episodes a person took: the weekend one, 30 and 30 minutes.
    assert now["resolution"] == {
        "count": 3,
        "median_seconds": 1800,
        "p90_seconds": pytest.approx(1800 + (WEEKEND_WAIT - 1800) * 0.8),
        "business_median_seconds": 1800,
        "business_p90_seconds": pytest.approx(1800 + (WEEKEND_BUSINESS - 1800) * 0.8),
    }
    # ratings 5 (refunds), 4 and 2 (invoice's two episodes) of four resolved episodes.
    assert now["csat"] == {
        "ratings": 3,
        "satisfied_share": 0.6667,
        "average": 3.67,
        "response_rate": 0.75,
    }
    # "early" opened Thursday in UTC but Friday in Ljubljana: the previous period has nothing.
    assert report["previous_period"]["from"] == "2026-11-30"
    assert report["previous"]["conversations"]["new"] == 0
    assert report["previous"]["first_response"]["median_seconds"] is None


async def test_the_day_boundaries_are_the_sites_midnights(db: Database, history: History) -> None:
    monday = Period(date(2026, 12, 7), date(2026, 12, 7), HOURS.timezone)
    tuesday = Period(date(2026, 12, 8), date(2026, 12, 8), HOURS.timezone)
    assert (await compared(db, monday, Scope()))["current"]["conversations"]["new"] == 1
    assert (await compared(db, tuesday, Scope()))["current"]["conversations"]["new"] == 1


async def test_an_agent_filter_counts_the_episodes_they_were_assigned_in(
    db: Database, history: History
) -> None:
    bob = (await compared(db, FRI_TO_MON, Scope(agent_id=history.bob.id)))["current"]
    assert bob["conversations"] == {"new": 1, "reopened": 0, "handed_to_person": 1, "resolved": 1}
    assert bob["first_response"]["median_seconds"] == 600
    ann = (await compared(db, FRI_TO_MON, Scope(agent_id=history.ann.id)))["current"]
    # invoice (both episodes) and the transfer she passed on
    assert ann["conversations"] == {"new": 2, "reopened": 1, "handed_to_person": 3, "resolved": 3}
    assert ann["csat"]["ratings"] == 2


async def test_label_and_locale_filters(db: Database, history: History) -> None:
    for scope in (Scope(label="billing"), Scope(locale="de")):
        only = (await compared(db, FRI_TO_MON, scope))["current"]
        assert only["conversations"]["new"] == 1
        assert only["resolution"]["median_seconds"] == 1800
    nobody = (await compared(db, FRI_TO_MON, Scope(label="shipping")))["current"]
    assert nobody["conversations"]["new"] == 0
    assert nobody["csat"]["average"] is None


def test_percentile_interpolates_like_percentile_cont() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 20.0, 30.0], 0.9) == pytest.approx(28.0)
