"""The series the console draws, each also a table: volume per day, the first-response trend,
the CSAT trend, and the busiest hours as a weekday-by-hour grid for staffing. Days and hours are
the site's, so a chat at 00:30 in Ljubljana is Friday's even though UTC still says Thursday."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from parley.db import Database
from parley.reports import store
from parley.reports.overview import percentile
from parley.reports.period import Period
from parley.reports.store import Scope

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


async def charts(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    start, end = period.start, period.end
    opened = await store.opened_moments(db, start, end, scope)
    firsts = await store.first_response_moments(db, start, end, scope)
    resolved = await store.resolved_moments(db, start, end, scope)

    new_by_day: dict[date, int] = defaultdict(int)
    heatmap = [[0] * 24 for _ in WEEKDAYS]
    for moment in opened:
        local = moment.astimezone(period.zone)
        new_by_day[local.date()] += 1
        heatmap[local.weekday()][local.hour] += 1
    waits_by_day: dict[date, list[float]] = defaultdict(list)
    for moment, seconds in firsts:
        waits_by_day[period.local_day(moment)].append(seconds)
    resolved_by_day: dict[date, int] = defaultdict(int)
    scores_by_day: dict[date, list[int]] = defaultdict(list)
    for moment, rating in resolved:
        day = period.local_day(moment)
        resolved_by_day[day] += 1
        if rating is not None:
            scores_by_day[day].append(rating)

    days = []
    for day in period.each_day():
        scores = scores_by_day.get(day, [])
        days.append(
            {
                "day": day.isoformat(),
                "new": new_by_day.get(day, 0),
                "resolved": resolved_by_day.get(day, 0),
                "first_response_median_seconds": percentile(waits_by_day.get(day, []), 0.5),
                "ratings": len(scores),
                "csat_satisfied_share": (
                    round(sum(1 for s in scores if s >= 4) / len(scores), 4) if scores else None
                ),
            }
        )
    return {
        "period": period.as_json(),
        "days": days,
        "busiest_hours": {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "counts": heatmap},
    }
