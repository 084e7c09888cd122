"""Peer review (IQS): a scorecard, weekly assignments of colleagues' resolved conversations,
reviews scored against the scorecard, and the quality score per agent and team.

Each week every reviewer gets N episodes resolved in the last seven days, handled by someone
else, spread over the agents (round-robin over the agents in random order, a random episode of
each), never one they were given before. Reviews read the thread as it was; a reviewer gets no
way to write into it. A review's IQS is the weighted mean of its scores on 0-100
((score - 1) / (scale - 1)).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from parley import clock
from parley.conversation import store as conversations
from parley.conversation.store import Message
from parley.db import Database
from parley.errors import BadRequest, Forbidden
from parley.identity.store import Agent
from parley.quality.store import review as store
from parley.quality.store.review import Assignment, Handled, Review, Scorecard

DEFAULT_CRITERIA = [
    {"key": "empathy", "label": "Empathy", "weight": 25},
    {"key": "solution", "label": "Solution", "weight": 35},
    {"key": "tone", "label": "Tone", "weight": 20},
    {"key": "media", "label": "Use of GIFs, screenshots and saved replies", "weight": 20},
]
DEFAULT_SCALE = 5
MAX_CRITERIA = 10
MAX_COMMENT = 2000
LOOK_BACK = timedelta(days=7)


def week_of(moment: datetime) -> date:
    """The Monday of the (UTC) week ``moment`` falls in."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


async def scorecard(db: Database) -> Scorecard:
    """The current scorecard; the default one is stored the first time it is needed."""
    return await store.current_scorecard(db) or await store.add_scorecard(
        db, DEFAULT_CRITERIA, DEFAULT_SCALE, None
    )


def validate_scorecard(body: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    scale = body.get("scale", DEFAULT_SCALE)
    if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= 10:
        raise BadRequest("scale must be 2 to 10", code="invalid_scorecard")
    given = body.get("criteria")
    if not isinstance(given, list) or not 1 <= len(given) <= MAX_CRITERIA:
        raise BadRequest(f"a scorecard has 1 to {MAX_CRITERIA} criteria", code="invalid_scorecard")
    criteria = []
    for item in given:
        label = item.get("label") if isinstance(item, dict) else None
        weight = item.get("weight", 1) if isinstance(item, dict) else None
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            raise BadRequest("each criterion needs a label", code="invalid_scorecard")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            raise BadRequest("weights are numbers above 0, up to 100", code="invalid_scorecard")
        key = item.get("key") or re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
        criteria.append({"key": str(key)[:40], "label": label.strip(), "weight": weight})
    if len({c["key"] for c in criteria}) != len(criteria):
        raise BadRequest("two criteria have the same name", code="invalid_scorecard")
    return criteria, scale


def iqs(card: Scorecard, scores: dict[str, int]) -> float:
    total: float = sum(c["weight"] for c in card.criteria)
    points: float = sum(
        c["weight"] * (scores[c["key"]] - 1) / (card.scale - 1) for c in card.criteria
    )
    return round(100 * points / total, 1)


def pick(
    candidates: list[Handled], reviewer_id: str, seen: set[tuple[str, int]], n: int
) -> list[Handled]:
    """Up to ``n`` colleagues' episodes, spread over the agents, at random."""
    by_agent: dict[str, list[Handled]] = defaultdict(list)
    for handled in candidates:
        if (
            handled.agent_id != reviewer_id
            and (handled.conversation_id, handled.episode) not in seen
        ):
            by_agent[handled.agent_id].append(handled)
    for episodes in by_agent.values():
        random.shuffle(episodes)
    order = list(by_agent)
    random.shuffle(order)
    picked: list[Handled] = []
    while len(picked) < n and any(by_agent.values()):
        for agent_id in order:
            if by_agent[agent_id] and len(picked) < n:
                picked.append(by_agent[agent_id].pop())
    return picked


async def this_week(
    db: Database, reviewer: Agent, per_week: int, now: datetime | None = None
) -> list[Assignment]:
    """The reviewer's assignments for this week, drawn the first time they are asked for."""
    now = now or clock.now()
    week = week_of(now)
    mine = await store.assignments_of(db, reviewer.id, week)
    if mine:
        return mine
    monday = datetime.combine(week, time(), tzinfo=now.tzinfo)
    candidates = await store.handled_episodes(db, monday - LOOK_BACK, now)
    chosen = pick(candidates, reviewer.id, await store.assigned_keys(db, reviewer.id), per_week)
    return await store.add_assignments(db, week, reviewer.id, chosen)


async def readable_assignment(db: Database, assignment_id: str, agent: Agent) -> Assignment:
    """An assignment its reviewer, the reviewed agent or an admin may open."""
    assignment = await store.assignment_by_id(db, assignment_id)
    if agent.role != "admin" and agent.id not in (assignment.reviewer_id, assignment.agent_id):
        raise Forbidden("this review is someone else's", code="not_your_review")
    return assignment


async def thread(db: Database, assignment: Assignment) -> list[Message]:
    """The reviewed episode's messages and notes, as they were (read-only)."""
    episodes = {
        e.number: e for e in await conversations.episodes_of(db, assignment.conversation_id)
    }
    episode = episodes.get(assignment.episode)
    if episode is None:
        return []
    end = episode.resolved_at or clock.now()
    everything = await conversations.read_since(
        db, assignment.conversation_id, 0, include_internal=True, limit=2000
    )
    return [m for m in everything if episode.opened_at <= m.created_at <= end]


async def submit(
    db: Database, reviewer: Agent, assignment_id: str, scores: object, comment: object
) -> Review:
    assignment = await store.assignment_by_id(db, assignment_id)
    if assignment.reviewer_id != reviewer.id:
        raise Forbidden("only its reviewer scores a review", code="not_your_review")
    card = await scorecard(db)
    if not isinstance(scores, dict) or set(scores) != {c["key"] for c in card.criteria}:
        raise BadRequest("score every criterion of the scorecard", code="invalid_scores")
    for value in scores.values():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= card.scale:
            raise BadRequest(f"scores run from 1 to {card.scale}", code="invalid_scores")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise BadRequest(f"a comment is at most {MAX_COMMENT} characters", code="invalid_comment")
    review = Review(
        assignment_id=assignment.id,
        scorecard_id=card.id,
        scores=dict(scores),
        score=iqs(card, scores),
        comment=(comment or "").strip() or None,
        submitted_at=clock.now(),
    )
    return await store.submit(db, review)


async def calibration(db: Database) -> list[dict[str, Any]]:
    """Conversations two or more reviewers scored: their scores side by side, and the spread."""
    groups: dict[tuple[str, int], list[tuple[Assignment, Review]]] = defaultdict(list)
    for assignment, review in await store.reviewed(db):
        groups[(assignment.conversation_id, assignment.episode)].append((assignment, review))
    return [
        {
            "conversation_id": conversation_id,
            "episode": episode,
            "agent_id": pairs[0][0].agent_id,
            "reviews": [
                {
                    "reviewer_id": a.reviewer_id,
                    "score": r.score,
                    "scores": r.scores,
                    "comment": r.comment,
                }
                for a, r in pairs
            ],
            "spread": max(r.score for _, r in pairs) - min(r.score for _, r in pairs),
        }
        for (conversation_id, episode), pairs in groups.items()
        if len(pairs) > 1
    ]


async def quality_scores(
    db: Database,
    start: datetime,
    end: datetime,
    *,
    agent_id: str | None = None,
    team_id: str | None = None,
) -> dict[str, Any]:
    """IQS per agent and team over [start, end) (reviews submitted then), and per week (the
    review week, Monday UTC) per agent, per team and over all; of one agent's reviewed work or
    one team's when asked (Reports' filters)."""
    done = [
        (assignment, review)
        for assignment, review in await store.reviewed(db, agent_id=agent_id, start=start, end=end)
        if team_id in (None, assignment.team_id)
    ]

    def mean(values: list[float]) -> dict[str, Any]:
        return {"reviews": len(values), "iqs": round(sum(values) / len(values), 1)}

    agents: dict[str, list[float]] = defaultdict(list)
    teams: dict[str, list[float]] = defaultdict(list)
    weekly: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    weekly_teams: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    weeks: dict[str, list[float]] = defaultdict(list)
    for assignment, review in done:
        week = week_of(review.submitted_at).isoformat()
        agents[assignment.agent_id].append(review.score)
        weekly[assignment.agent_id][week].append(review.score)
        weeks[week].append(review.score)
        if assignment.team_id:
            teams[assignment.team_id].append(review.score)
            weekly_teams[assignment.team_id][week].append(review.score)

    def by_week(grouped: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
        return {
            key: {week: mean(scores) for week, scores in sorted(found.items())}
            for key, found in grouped.items()
        }

    return {
        "start": clock.iso(start),
        "end": clock.iso(end),
        "agents": {agent: mean(scores) for agent, scores in agents.items()},
        "teams": {team: mean(scores) for team, scores in teams.items()},
        "weekly": by_week(weekly),
        "weekly_teams": by_week(weekly_teams),
        "weeks": {week: mean(scores) for week, scores in sorted(weeks.items())},
    }
