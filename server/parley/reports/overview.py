"""The overview a support team runs by: volume, self-service deflection, first response and
resolution (median and p90, wall clock and business hours) and CSAT, for a period and the
period before it.

Which episodes each figure counts (docs/reports.md says the same to users):
- *new*, *reopened*, *handed to a person*: episodes opened in the period (a reopen is the
  conversation's next episode, so one conversation resolved twice counts once as new and once
  as reopened);
- *resolved*, *deflection*, *resolution time*, *CSAT*: episodes resolved in the period;
  deflection is the share of them no person took; resolution time counts only those a person
  took (a bot-only episode is not a resolution time); CSAT is over those that were rated;
- *first response*: episodes whose first reply by a person fell in the period.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from parley.db import Database
from parley.reports import store
from parley.reports.period import Period
from parley.reports.store import Ranked, Scope

MEDIAN, P90 = 0.5, 0.9


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's ``percentile_cont``)."""
    return Ranked.of(values).percentile(share)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Times:
    """Median and 90th percentile, in seconds; ``None`` when nothing was measured."""

    count: int
    median: float | None
    p90: float | None
    business_median: float | None
    business_p90: float | None

    @classmethod
    def of(cls, wall: Ranked, business: Ranked) -> Times:
        return cls(
            wall.count,
            wall.percentile(MEDIAN),
            wall.percentile(P90),
            business.percentile(MEDIAN),
            business.percentile(P90),
        )


@dataclass(frozen=True)
class Overview:
    new: int
    reopened: int
    handed_to_person: int
    resolved: int
    self_served: int
    deflection: float | None  # self_served ÷ resolved
    first_response: Times
    resolution: Times
    rated: int
    csat_satisfied_share: float | None  # ratings of 4 or 5 ÷ ratings
    csat_average: float | None
    csat_response_rate: float | None  # ratings ÷ resolved

    def as_json(self) -> dict[str, Any]:
        return {
            "conversations": {
                "new": self.new,
                "reopened": self.reopened,
                "handed_to_person": self.handed_to_person,
                "resolved": self.resolved,
            },
            "self_service": {"self_served": self.self_served, "deflection": self.deflection},
            "first_response": _times(self.first_response),
            "resolution": _times(self.resolution),
            "csat": {
                "ratings": self.rated,
                "satisfied_share": self.csat_satisfied_share,
                "average": self.csat_average,
                "response_rate": self.csat_response_rate,
            },
        }


def _times(times: Times) -> dict[str, Any]:
    return {
        "count": times.count,
        "median_seconds": times.median,
        "p90_seconds": times.p90,
        "business_median_seconds": times.business_median,
        "business_p90_seconds": times.business_p90,
    }


async def overview(db: Database, period: Period, scope: Scope) -> Overview:
    start, end = period.start, period.end
    # Three independent reads, each on a connection of its own: the database runs them at once.
    opened, firsts, resolved = await asyncio.gather(
        store.opened(db, start, end, scope),
        store.first_responses(db, start, end, scope, (MEDIAN, P90)),
        store.resolved(db, start, end, scope, (MEDIAN, P90)),
    )
    return Overview(
        new=opened.new,
        reopened=opened.reopened,
        handed_to_person=opened.handed,
        resolved=resolved.episodes,
        self_served=resolved.self_served,
        deflection=_ratio(resolved.self_served, resolved.episodes),
        first_response=Times.of(*firsts),
        resolution=Times.of(resolved.handled_wall, resolved.handled_inside),
        rated=resolved.rated,
        csat_satisfied_share=_ratio(resolved.satisfied, resolved.rated),
        csat_average=round(resolved.rating_sum / resolved.rated, 2) if resolved.rated else None,
        csat_response_rate=_ratio(resolved.rated, resolved.episodes),
    )


async def compared(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    """The period's overview beside the one before it, as the API, CSV and CLI give it (the
    two computed at once)."""
    current, previous = await asyncio.gather(
        overview(db, period, scope), overview(db, period.previous(), scope)
    )
    return {
        "period": period.as_json(),
        "previous_period": period.previous().as_json(),
        "current": current.as_json(),
        "previous": previous.as_json(),
    }
