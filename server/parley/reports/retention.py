"""Retention of the host site's customers, from what its pages pass to ``Parley.identify``
(docs/widget.md): CRR, churn and CLV for the period, and churn beside support experience.

The attributes (on identified visitors, the latest record of each ``user_id``):
``customer_since`` (required: a date or an ISO date-time; a date is the site's midnight),
``churned_at`` (a date or date-time; absent, null or "" while they are a customer),
``revenue`` (their total spend to date, a number) and ``purchases`` (how many purchases).

- S: customers at the period's start (since before it, not churned before it); E: at its end;
  N: new in the period; lost: of S, those who churned in the period.
- CRR = (E - N) / S x 100; churn = lost / S x 100.
- CLV = average purchase value x purchase frequency x customer lifespan, over the customers
  of the period (a customer at any moment of it) who have ``revenue`` and ``purchases``:
  average purchase value = their revenue / their purchases; purchase frequency = their
  purchases / their customer-years (tenure up to churn or the period's end), per year;
  lifespan = the average tenure, in years, of every customer who churned before the period
  ended (unknown, and so no CLV, while nobody has churned).
- Churn beside experience, over S: the last rating before churning (or the period's end)
  1-2 against 4-5; whether any first response waited past its target (an ``sla_breached``
  event of kind ``first``) against customers who had first responses and none past it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from parley.db import Database
from parley.reports import store
from parley.reports.export import records_csv
from parley.reports.period import Period
from parley.reports.store import Experience, Scope

YEAR = timedelta(days=365.25)
EXAMPLE = """Parley.identify({
  user_id: "42",
  user_hash: "<hex HMAC-SHA256 of user_id with your identity secret, computed on your server>",
  attributes: {
    customer_since: "2025-03-01",  // when they became a customer
    churned_at: null,              // the date they left, once they do
    revenue: 1240.50,              // their total spend to date
    purchases: 6                   // how many purchases that was
  }
});"""


@dataclass(frozen=True)
class Tenure:
    user_id: str
    since: datetime
    churned: datetime | None
    revenue: float | None
    purchases: float | None

    def customer_at(self, moment: datetime) -> bool:
        return self.since < moment and (self.churned is None or self.churned >= moment)

    def years_until(self, end: datetime) -> float:
        last = end if self.churned is None else min(self.churned, end)
        return max(0.0, (last - self.since) / YEAR)


def _moment(value: object, zone: ZoneInfo) -> datetime | None:
    """A date (the site's midnight) or an ISO date-time; None when absent; ValueError else."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(0), zone)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(value)
    return number


def tenures(found: list[store.Customer], zone: ZoneInfo) -> tuple[list[Tenure], int]:
    """The customers (identified users with ``customer_since``), and how many were unreadable."""
    kept, unreadable = [], 0
    for customer in found:
        told = customer.attributes
        if told.get("customer_since") in (None, ""):
            continue
        try:
            since = _moment(told["customer_since"], zone)
            assert since is not None
            kept.append(
                Tenure(
                    customer.user_id,
                    since,
                    _moment(told.get("churned_at"), zone),
                    _number(told.get("revenue")),
                    _number(told.get("purchases")),
                )
            )
        except ValueError:
            unreadable += 1
    return kept, unreadable


def _percent(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 2) if whole else None


def _clv(kept: list[Tenure], start: datetime, end: datetime) -> dict[str, Any]:
    buyers = [
        t
        for t in kept
        if t.since < end
        and (t.churned is None or t.churned >= start)
        and t.revenue is not None
        and t.purchases is not None
    ]
    revenue = sum(t.revenue or 0.0 for t in buyers)
    purchases = sum(t.purchases or 0.0 for t in buyers)
    years = sum(t.years_until(end) for t in buyers)
    gone = [t for t in kept if t.churned is not None and t.churned < end]
    value = revenue / purchases if purchases else None
    frequency = purchases / years if years else None
    lifespan = sum(t.years_until(end) for t in gone) / len(gone) if gone else None
    clv = None
    if value is not None and frequency is not None and lifespan is not None:
        clv = value * frequency * lifespan
    return {
        "customers": len(buyers),
        "average_purchase_value": None if value is None else round(value, 2),
        "purchase_frequency_per_year": None if frequency is None else round(frequency, 4),
        "lifespan_years": None if lifespan is None else round(lifespan, 4),
        "value": None if clv is None else round(clv, 2),
    }


def _by_experience(
    start_base: list[Tenure], seen: list[Experience], end: datetime
) -> list[dict[str, Any]]:
    churned_in = {t.user_id for t in start_base if t.churned is not None and t.churned < end}
    cutoff = {
        t.user_id: t.churned if t.churned is not None and t.user_id in churned_in else end
        for t in start_base
    }
    last_rating: dict[str, tuple[datetime, int]] = {}
    breached: set[str] = set()
    answered: set[str] = set()
    for experience in seen:
        user_id = experience.user_id
        if user_id not in cutoff or experience.at >= cutoff[user_id]:
            continue  # not a customer at the start, or after they left: not why they left
        if experience.kind == "rating" and experience.score is not None:
            if user_id not in last_rating or experience.at > last_rating[user_id][0]:
                last_rating[user_id] = (experience.at, experience.score)
        elif experience.kind == "first_breach":
            breached.add(user_id)
        elif experience.kind == "first_response":
            answered.add(user_id)
    groups = {
        "last_rating_1_2": {u for u, (_, score) in last_rating.items() if score <= 2},
        "last_rating_4_5": {u for u, (_, score) in last_rating.items() if score >= 4},
        "waited_past_first_response_target": breached,
        "first_responses_within_target": answered - breached,
    }
    return [
        {
            "group": name,
            "customers": len(members),
            "lost": len(members & churned_in),
            "churn_rate": _percent(len(members & churned_in), len(members)),
        }
        for name, members in groups.items()
    ]


async def retention(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    kept, unreadable = tenures(await store.customers(db), period.zone)
    start, end = period.start, period.end
    at_start = [t for t in kept if t.customer_at(start)]
    at_end = [t for t in kept if t.customer_at(end)]
    new = [t for t in kept if start <= t.since < end]
    lost = [t for t in at_start if t.churned is not None and t.churned < end]
    seen = await store.experiences(db, end) if at_start else []
    return {
        "period": period.as_json(),
        "empty": not kept,
        "customers": len(kept),
        "unreadable": unreadable,
        "customers_at_start": len(at_start),
        "customers_at_end": len(at_end),
        "new_customers": len(new),
        "lost_customers": len(lost),
        "retention_rate": _percent(len(at_end) - len(new), len(at_start)),
        "churn_rate": _percent(len(lost), len(at_start)),
        "clv": _clv(kept, start, end),
        "by_experience": _by_experience(at_start, seen, end),
        "example": EXAMPLE,
    }


def retention_csv(report: Mapping[str, Any]) -> str:
    """The figures as ``metric,value`` rows, then the churn-by-experience table."""
    skip = ("period", "by_experience", "example", "clv")
    figures = [{"metric": k, "value": v} for k, v in report.items() if k not in skip]
    figures += [{"metric": f"clv.{k}", "value": v} for k, v in report["clv"].items()]
    return records_csv(figures) + "\nby_experience\n" + records_csv(report["by_experience"])
