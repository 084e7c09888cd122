"""The agents' report and the CSAT report: who handled what, how fast, how well rated, how
often it came back, how long they were online; every rating with its comment and a link to the
conversation, low first.

Time online is read from the presence history (``agent_presence``, written by the housekeeping
pass): the stretches' overlap with the period. It belongs to no episode, so the team, label and
language filters do not narrow it; an agent online but handling nothing is listed only when no
such filter is set.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from parley import clock
from parley.db import Database
from parley.identity.store import list_agents
from parley.reports import store
from parley.reports.overview import percentile
from parley.reports.period import Period
from parley.reports.store import AgentEpisode, Scope, Stretch
from parley.routing.store import STALE

CONVERSATION_LINK = "/console#conversation={}"


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def online_seconds(stretches: list[Stretch], start: datetime, end: datetime) -> dict[str, float]:
    """Per agent, the seconds of their online stretches inside ``[start, end)``. A stretch
    still open lasts until now, or until it was last seen if every server has since stopped."""
    now = clock.now()
    found: dict[str, float] = defaultdict(float)
    for stretch in stretches:
        last = stretch.offline_at
        if last is None:
            last = now if now - stretch.seen_at <= STALE else stretch.seen_at
        inside = (min(last, end) - max(stretch.online_at, start)).total_seconds()
        if inside > 0:
            found[stretch.agent_id] += inside
    return dict(found)


async def agents(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    """Per agent: episodes handled (assigned in; a transfer counts for both), first responses
    they wrote, episodes they resolved (resolution time, CSAT, reopen rate), time online."""
    pairs = await store.agent_episodes(db, period.start, period.end, scope)
    names = {agent.id: agent.name for agent in await list_agents(db)}
    mine: dict[str, list[AgentEpisode]] = defaultdict(list)
    for pair in pairs:
        mine[pair.agent_id].append(pair)
    start, end = period.start, period.end
    online = online_seconds(
        await store.presence_stretches(db, start, end, scope.agent_id), start, end
    )
    if scope.team_id is None and scope.label is None and scope.locale is None:
        for agent_id in online:
            mine.setdefault(agent_id, [])
    rows: list[dict[str, Any]] = []
    for agent_id, episodes in mine.items():
        firsts = [
            e.first_response_seconds
            for e in episodes
            if e.wrote_first_response and e.first_response_seconds is not None
        ]
        resolved = [
            e
            for e in episodes
            if e.resolved_it and e.resolved_at is not None and start <= e.resolved_at < end
        ]
        spans = [e.resolution_seconds for e in resolved if e.resolution_seconds is not None]
        scores = [e.rating for e in resolved if e.rating is not None]
        rows.append(
            {
                "agent_id": agent_id,
                "name": names.get(agent_id, "(deleted agent)"),
                "handled": len(episodes),
                "first_response_median_seconds": percentile(firsts, 0.5),
                "resolved": len(resolved),
                "resolution_median_seconds": percentile(spans, 0.5),
                "ratings": len(scores),
                "csat_satisfied_share": _share(sum(1 for s in scores if s >= 4), len(scores)),
                "csat_average": round(sum(scores) / len(scores), 2) if scores else None,
                "reopen_rate": _share(sum(1 for e in resolved if e.reopened), len(resolved)),
                # Filtered to one agent, their colleagues' time online is not shown.
                "online_seconds": (
                    round(online.get(agent_id, 0.0), 1)
                    if scope.agent_id in (None, agent_id)
                    else None
                ),
            }
        )
    rows.sort(key=lambda row: (-row["handled"], row["name"]))
    return {"period": period.as_json(), "agents": rows}


async def csat(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    """The distribution of scores 1-5 and every comment, lowest score first."""
    found = await store.ratings(db, period.start, period.end, scope)
    names = {agent.id: agent.name for agent in await list_agents(db)}
    distribution = {str(score): 0 for score in range(1, 6)}
    for rating in found:
        distribution[str(rating.score)] += 1
    comments = [
        {
            "conversation_id": rating.conversation_id,
            "episode": rating.episode,
            "score": rating.score,
            "comment": rating.comment,
            "rated_at": clock.iso(rating.rated_at),
            "agent": names.get(rating.agent_id) if rating.agent_id else None,
            "link": CONVERSATION_LINK.format(rating.conversation_id),
        }
        for rating in found
        if rating.comment
    ]
    return {
        "period": period.as_json(),
        "ratings": len(found),
        "distribution": distribution,
        "comments": comments,
    }
