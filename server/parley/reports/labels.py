"""Conversations per label over time: what customers keep coming with.

A conversation counts under each label it carries now (labels are what the team decided the
conversation was about; the filter by label reads the same), once per day (or week) in which
one of its episodes opened: a conversation that came back on Monday counts on Friday and on
Monday, and once in the period's total. Periods up to 31 days go by day, longer ones by week
(Monday to Sunday, the first and last clipped to the period), in the site's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from parley.db import Database
from parley.reports import store
from parley.reports.period import Period
from parley.reports.store import Scope

LONGEST_DAILY = 31


def buckets(period: Period) -> tuple[str, list[date]]:
    """The bucket size and each bucket's first day."""
    if period.days <= LONGEST_DAILY:
        return "day", period.each_day()
    mondays = [day for day in period.each_day() if day.weekday() == 0]
    return "week", [period.first, *(day for day in mondays if day != period.first)]


def _bucket_of(day: date, bucket: str, period: Period) -> date:
    if bucket == "day":
        return day
    return max(day - timedelta(days=day.weekday()), period.first)


async def labels(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    bucket, starts = buckets(period)
    position = {start: n for n, start in enumerate(starts)}
    seen: dict[str, list[set[str]]] = defaultdict(lambda: [set() for _ in starts])
    for label, conversation_id, moment in await store.labelled_openings(
        db, period.start, period.end, scope
    ):
        day = period.local_day(moment)
        seen[label][position[_bucket_of(day, bucket, period)]].add(conversation_id)
    rows: list[dict[str, Any]] = [
        {
            "label": label,
            "total": len(set().union(*per_bucket)),
            "counts": [len(conversations) for conversations in per_bucket],
        }
        for label, per_bucket in seen.items()
    ]
    rows.sort(key=lambda row: (-row["total"], row["label"]))
    return {
        "period": period.as_json(),
        "bucket": bucket,
        "buckets": [start.isoformat() for start in starts],
        "labels": rows,
    }


def labels_csv_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per label: its total, then a column per bucket."""
    return [
        {
            "label": row["label"],
            "total": row["total"],
            **dict(zip(report["buckets"], row["counts"], strict=True)),
        }
        for row in report["labels"]
    ]
