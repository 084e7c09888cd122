"""What a report was asked for, from the same named parameters over HTTP and on the command
line: the period and the filters, with who is asking applied (an agent who is not an admin
sees only the episodes they were assigned in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from parley.errors import BadRequest, Forbidden
from parley.reports.period import Period, parse_period
from parley.reports.store import Scope

FILTERS = ("team", "agent", "label", "locale")
PARAMETERS = ("period", "from", "to", *FILTERS, "format")
FORMATS = ("json", "csv")


@dataclass(frozen=True)
class Asked:
    period: Period
    scope: Scope
    format: str


def parse_request(
    params: Mapping[str, str],
    *,
    viewer_id: str | None,
    viewer_is_admin: bool,
    zone: ZoneInfo,
    now: datetime,
    filters: tuple[str, ...] = FILTERS,
    admins_only: bool = False,
) -> Asked:
    """``filters``: those the report honours (any other is refused, not silently ignored);
    ``admins_only``: a report over no one's own conversations (searches, customers)."""
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}", code="bad_report_parameter")
    if admins_only and not viewer_is_admin:
        raise Forbidden("this report is for admins", code="admins_only")
    ignored = sorted(name for name in set(FILTERS) - set(filters) if params.get(name))
    if ignored:
        allowed = ", ".join(filters) or "no filter"
        raise BadRequest(
            f"this report takes {allowed}, not {ignored[0]!r}", code="bad_report_parameter"
        )
    period = parse_period(
        params.get("period"), params.get("from"), params.get("to"), zone=zone, now=now
    )
    agent = params.get("agent") or None
    if not viewer_is_admin:
        if agent not in (None, viewer_id):
            raise Forbidden("an agent's reports show only their own conversations", code="own_only")
        agent = viewer_id
    output = params.get("format") or "json"
    if output not in FORMATS:
        raise BadRequest("format must be json or csv", code="bad_report_parameter")
    scope = Scope(
        team_id=params.get("team") or None,
        agent_id=agent,
        label=params.get("label") or None,
        locale=params.get("locale") or None,
    )
    return Asked(period, scope, output)
