"""The quality report: service-level compliance (first and next response) and the peer-review
score (IQS) per agent and team, and IQS per week. The figures are the quality loop's own
(``sla.compliance`` from the event log, ``review.quality_scores`` from submitted reviews); this
module only narrows them to the report's period and filters and lays them out as tables.

The team and agent filters apply (a response to the team on its event and the agent who wrote
it, a breach to the agent then holding the conversation, a review to the reviewed episode's
team and agent); labels and languages are refused, as neither belongs to a response or a
review. An agent who is not an admin is filtered to themselves: their own rows only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parley.db import Database
from parley.identity.store import list_agents, list_teams
from parley.quality import review, sla
from parley.reports.period import Period
from parley.reports.store import Scope

TABLES = (
    "compliance_agents",
    "compliance_teams",
    "iqs_agents",
    "iqs_teams",
    "iqs_weeks",
    "iqs_agent_weeks",
    "iqs_team_weeks",
)
COMPLIANCE = (
    "first_responses",
    "on_time",
    "compliance",
    "next_responses",
    "next_on_time",
    "next_compliance",
    "first_breaches",
    "next_breaches",
)


async def quality(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    narrowed = {"agent_id": scope.agent_id, "team_id": scope.team_id}
    met = await sla.compliance(db, period.start, period.end, **narrowed)
    scored = await review.quality_scores(db, period.start, period.end, **narrowed)
    agents = {agent.id: agent.name for agent in await list_agents(db)}
    teams = {team.id: team.name for team in await list_teams(db)}

    def named(kind: str, key: str) -> dict[str, str]:
        names = agents if kind == "agent" else teams
        return {f"{kind}_id": key, "name": names.get(key, f"(deleted {kind})")}

    def compliance_rows(kind: str, rows: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        found = [
            {**named(kind, key), **{field: _rounded(row[field]) for field in COMPLIANCE}}
            for key, row in rows.items()
        ]
        return sorted(found, key=lambda row: row["name"])

    def iqs_rows(kind: str, rows: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        found = [{**named(kind, key), **row} for key, row in rows.items()]
        return sorted(found, key=lambda row: row["name"])

    def weekly_rows(kind: str, grouped: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        found = [
            {"week": week, **named(kind, key), **row}
            for key, weeks in grouped.items()
            for week, row in weeks.items()
        ]
        return sorted(found, key=lambda row: (row["week"], row["name"]))

    return {
        "period": period.as_json(),
        "compliance_agents": compliance_rows("agent", met["agents"]),
        "compliance_teams": compliance_rows("team", met["teams"]),
        "iqs_agents": iqs_rows("agent", scored["agents"]),
        "iqs_teams": iqs_rows("team", scored["teams"]),
        "iqs_weeks": [{"week": week, **row} for week, row in scored["weeks"].items()],
        "iqs_agent_weeks": weekly_rows("agent", scored["weekly"]),
        "iqs_team_weeks": weekly_rows("team", scored["weekly_teams"]),
    }


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value
