"""Conversations per label over time against a hand count of tests/reports/conftest.py's
history, with labels put on by hand, on both databases.

invoice (episodes Fri 16:30 and Mon 10:15 local) carries billing and invoices; transfer (Mon
11:00) carries billing; early (Fri 00:30) carries greeting; late (Tue 00:30) carries billing
but opened after the period."""

from __future__ import annotations

from datetime import date

from parley.conversation.store.labels import add_label
from parley.db import Database
from parley.reports.catalog import REPORTS
from parley.reports.labels import labels
from parley.reports.period import Period
from parley.reports.store import Scope
from tests.reports.conftest import HOURS, History
from tests.reports.test_overview import FRI_TO_MON


async def _label(db: Database, history: History) -> None:
    await add_label(db, history.invoice_id, "billing")
    await add_label(db, history.invoice_id, "invoices")
    await add_label(db, history.early_id, "greeting")
    await add_label(db, history.late_id, "billing")


async def test_per_day_each_conversation_counts_once_per_day_it_came(
    db: Database, history: History
) -> None:
    await _label(db, history)
    report = await labels(db, FRI_TO_MON, Scope())
    assert report["bucket"] == "day"
    assert report["buckets"] == ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"]
    assert report["labels"] == [
        {"label": "billing", "total": 2, "counts": [1, 0, 0, 2]},
        {"label": "greeting", "total": 1, "counts": [1, 0, 0, 0]},
        {"label": "invoices", "total": 1, "counts": [1, 0, 0, 1]},
    ]
    german = await labels(db, FRI_TO_MON, Scope(locale="de"))  # only the transfer
    assert german["labels"] == [{"label": "billing", "total": 1, "counts": [0, 0, 0, 1]}]
    assert REPORTS["labels"].csv(report).splitlines()[:2] == [
        "label,total,2026-12-04,2026-12-05,2026-12-06,2026-12-07",
        "billing,2,1,0,0,2",
    ]


async def test_a_long_period_goes_by_week_from_monday(db: Database, history: History) -> None:
    await _label(db, history)
    # Wed 18 Nov to Sat 19 Dec: the first week starts on the period's first day.
    report = await labels(
        db, Period(date(2026, 11, 18), date(2026, 12, 19), HOURS.timezone), Scope()
    )
    assert report["bucket"] == "week"
    assert report["buckets"] == [
        "2026-11-18",
        "2026-11-23",
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
    ]
    billing = report["labels"][0]
    # invoice in the week of 30 Nov (Friday) and of 7 Dec; transfer and late in the week of 7 Dec
    assert billing == {"label": "billing", "total": 3, "counts": [0, 0, 1, 3, 0]}
