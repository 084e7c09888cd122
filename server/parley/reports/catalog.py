"""Every report by name, with how it is computed and which of its tables a CSV holds: the
API (``/api/v1/reports/{name}``) and ``parley reports {name}`` both serve from this list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from parley.db import Database
from parley.reports import (
    charts,
    knowledge,
    known_issues,
    labels,
    overview,
    people,
    quality,
    retention,
)
from parley.reports.export import compared_csv, records_csv
from parley.reports.period import Period
from parley.reports.request import FILTERS
from parley.reports.store import Scope

Compute = Callable[[Database, Period, Scope], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Report:
    compute: Compute
    csv: Callable[[Mapping[str, Any]], str]
    summary: str
    filters: tuple[str, ...] = FILTERS  # the filters it honours; others are refused
    admins_only: bool = False  # over no one's own conversations: searches, customers


def tables_csv(*names: str) -> Callable[[Mapping[str, Any]], str]:
    """A report of several tables as one CSV: each table under a row naming it."""

    def write(report: Mapping[str, Any]) -> str:
        return "\n".join(f"{name}\n" + records_csv(report[name]) for name in names)

    return write


def _busiest_rows(report: Mapping[str, Any]) -> str:
    grid = report["busiest_hours"]
    rows = [
        {"weekday": day, **{f"{hour:02d}": count for hour, count in enumerate(counts)}}
        for day, counts in zip(grid["weekdays"], grid["counts"], strict=True)
    ]
    return records_csv(report["days"]) + "\n" + records_csv(rows)


REPORTS: dict[str, Report] = {
    "overview": Report(
        overview.compared,
        compared_csv,
        "Volume, self-service, first response, resolution and CSAT beside the previous period.",
    ),
    "charts": Report(
        charts.charts,
        _busiest_rows,
        "Per day: new, resolved, median first response, CSAT; the busiest hours.",
    ),
    "agents": Report(
        people.agents,
        lambda report: records_csv(report["agents"]),
        "Per agent: handled, first response, resolved, resolution, CSAT, reopen rate.",
    ),
    "csat": Report(
        people.csat,
        lambda report: records_csv(report["comments"]),
        "Scores 1-5 and every comment with its conversation, lowest score first.",
    ),
    "labels": Report(
        labels.labels,
        lambda report: records_csv(labels.labels_csv_rows(report)),
        "Conversations per label, per day (per week beyond 31 days).",
    ),
    "knowledge": Report(
        knowledge.knowledge,
        tables_csv(*knowledge.TABLES),
        "Top searches, searches with no result, the bot's unanswered questions, articles voted"
        " not helpful, articles that answered visitors with no person.",
        filters=("locale",),
        admins_only=True,
    ),
    "retention": Report(
        retention.retention,
        retention.retention_csv,
        "Customers from Parley.identify attributes: CRR, churn, CLV, churn beside support"
        " experience.",
        filters=(),
        admins_only=True,
    ),
    "quality": Report(
        quality.quality,
        tables_csv(*quality.TABLES),
        "Per agent and team: first- and next-response compliance with the service-level"
        " targets, breaches, IQS from peer review; IQS per week.",
        filters=("team", "agent"),
    ),
    "known_issues": Report(
        known_issues.known_issues,
        known_issues.known_issues_csv,
        "Per known issue live in the period: conversations linked, told of the fix, read,"
        " replied; the totals.",
        filters=(),
    ),
}
