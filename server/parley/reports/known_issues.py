"""The known-issues report: per issue, how many conversations were linked to it and, once it
was fixed, how many were told, read the message and replied after it; and the totals.

The issues are those live during the period: reported before its end and not fixed before its
start. Their counts are as they stand now (a visitor may read the fix message later than the
period). Every agent sees them, as on the console's Known issues page: an issue belongs to the
team, not to one agent's conversations, so no filter applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from parley import clock, knownissues
from parley.db import Database
from parley.reports.export import records_csv
from parley.reports.period import Period
from parley.reports.store import Scope


async def known_issues(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    live = [
        (issue, counts)
        for issue, counts in await knownissues.listing(db)
        if issue.created_at < period.end
        and (issue.fixed_at is None or issue.fixed_at >= period.start)
    ]
    return {
        "period": period.as_json(),
        "issues": [
            {
                "issue_id": issue.id,
                "title": issue.title,
                "status": issue.status,
                "reported_at": clock.iso(issue.created_at),
                "fixed_at": clock.iso(issue.fixed_at),
                "linked": counts.conversations,
                "notified": counts.notified,
                "read": counts.read,
                "replied": counts.replied,
                "tracker_url": issue.tracker_url,
            }
            for issue, counts in live
        ],
        "totals": asdict(knownissues.totals(live)),
    }


def known_issues_csv(report: Mapping[str, Any]) -> str:
    """The issues, then the totals as one row."""
    return (
        "issues\n" + records_csv(report["issues"]) + "\ntotals\n" + records_csv([report["totals"]])
    )
