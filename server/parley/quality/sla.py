"""Service-level targets: how long a visitor handed to people may wait for the first reply, and
for the next one after they write again; counted on the wall clock or in business hours.

A conversation's clock reads its current episode and the event log: the first-response clock
runs from the handoff (the episode's ``queued_at``) until the first ``agent_reply``; the
next-response clock from the visitor's first message after the latest ``agent_reply`` until the
next one. Of the targets that apply (every conversation, its team, one of its labels, verified
customers) the strictest wins. When a clock runs out the housekeeping check appends
``sla_breached`` (once per clock) and escalates as the target says: a note to the team, the
conversation back in the queue for someone else, or the note and a mail to each of the team's
agents (queued in the transaction that records the breach, so it goes once with it).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from parley import clock
from parley.conversation.lifecycle import Lifecycle
from parley.db import Database
from parley.errors import BadRequest
from parley.mail.store import OutgoingMail, mailable_team_agent_ids
from parley.quality.store import sla as store
from parley.quality.store.sla import OpenEpisode, Target
from parley.routing.hours import BusinessHours

logger = logging.getLogger(__name__)

SCOPES = ("all", "team", "label", "verified")
ESCALATIONS = ("none", "notify", "reassign", "mail")
MAX_TARGET_SECONDS = 30 * 24 * 3600
Kind = Literal["first", "next"]


@dataclass(frozen=True)
class Clock:
    """One running response clock of a conversation."""

    conversation_id: str
    episode: int
    team_id: str | None
    assignee_id: str | None
    kind: Kind
    started_at: datetime
    target: Target
    target_seconds: int
    elapsed_seconds: float
    ticking: bool  # False outside business hours when the target counts only those

    @property
    def remaining_seconds(self) -> float:
        return self.target_seconds - self.elapsed_seconds

    @property
    def breached(self) -> bool:
        return self.remaining_seconds <= 0

    def public(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "kind": self.kind,
            "target": self.target.name,
            "target_seconds": self.target_seconds,
            "remaining_seconds": round(self.remaining_seconds),
            "business_hours": self.target.business_hours,
            "ticking": self.ticking,
            "breached": self.breached,
        }


def validate_target(body: dict[str, Any]) -> dict[str, Any]:
    """A target's fields from an admin's form, or ``BadRequest``."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise BadRequest("name must be 1 to 100 characters", code="invalid_target")
    applies_to = body.get("applies_to", "all")
    if applies_to not in SCOPES:
        raise BadRequest(f"applies_to must be one of {', '.join(SCOPES)}", code="invalid_target")
    value = body.get("applies_value")
    if applies_to in ("team", "label"):
        if not isinstance(value, str) or not value.strip() or len(value) > 60:
            raise BadRequest(f"name the {applies_to} the target applies to", code="invalid_target")
        value = value.strip()
    else:
        value = None
    seconds = {
        name: _seconds(body.get(name), name)
        for name in ("first_response_seconds", "next_response_seconds")
    }
    if not any(seconds.values()):
        raise BadRequest("set a first- or next-response target", code="invalid_target")
    escalation = body.get("escalation", "none")
    if escalation not in ESCALATIONS:
        raise BadRequest(
            f"escalation must be one of {', '.join(ESCALATIONS)}", code="invalid_target"
        )
    business_hours = body.get("business_hours", False)
    if not isinstance(business_hours, bool):
        raise BadRequest("business_hours must be true or false", code="invalid_target")
    return {
        "name": name.strip(),
        "applies_to": applies_to,
        "applies_value": value,
        **seconds,
        "business_hours": business_hours,
        "escalation": escalation,
    }


def _seconds(value: object, name: str) -> int | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 60 <= value <= MAX_TARGET_SECONDS
    ):
        raise BadRequest(f"{name} must be 60 seconds to 30 days", code="invalid_target")
    return value


def applies(target: Target, episode: OpenEpisode) -> bool:
    return {
        "all": True,
        "team": episode.team_id == target.applies_value,
        "label": target.applies_value in episode.labels,
        "verified": episode.verified,
    }.get(target.applies_to, False)


def clock_of(
    episode: OpenEpisode, targets: list[Target], hours: BusinessHours, now: datetime
) -> Clock | None:
    """The conversation's running clock under the strictest target that applies, if any."""
    kind: Kind
    if episode.first_response_at is None:
        kind, started, column = "first", episode.queued_at, "first_response_seconds"
    elif episode.visitor_waiting_since is not None:
        kind, started, column = "next", episode.visitor_waiting_since, "next_response_seconds"
    else:
        return None
    candidates = [
        (getattr(t, column), t) for t in targets if getattr(t, column) and applies(t, episode)
    ]
    if not candidates:
        return None
    seconds, target = min(candidates, key=lambda pair: pair[0])
    if target.business_hours:
        elapsed = hours.open_seconds_between(started, now)
        ticking = hours.open_seconds_between(now, now + timedelta(seconds=1)) > 0
    else:
        elapsed, ticking = max(0.0, (now - started).total_seconds()), True
    return Clock(
        episode.conversation_id,
        episode.episode,
        episode.team_id,
        episode.assignee_id,
        kind,
        started,
        target,
        seconds,
        elapsed,
        ticking,
    )


async def running_clocks(
    db: Database, hours: BusinessHours, now: datetime | None = None
) -> list[Clock]:
    """Every open conversation's running clock, most urgent first."""
    now = now or clock.now()
    targets = await store.list_targets(db)
    if not targets:
        return []
    clocks = [clock_of(e, targets, hours, now) for e in await store.open_episodes(db)]
    return sorted((c for c in clocks if c is not None), key=lambda c: c.remaining_seconds)


async def check(db: Database, lifecycle: Lifecycle, hours: BusinessHours) -> list[Clock]:
    """Record each clock that ran out (once) and escalate it; the newly breached ones."""
    breached = []
    for running in await running_clocks(db, hours):
        if not running.breached:
            continue
        data = {
            "target": running.target.id,
            "target_seconds": running.target_seconds,
            "escalation": running.target.escalation,
        }
        if not await store.record_breach(
            db,
            running.conversation_id,
            running.episode,
            running.kind,
            running.started_at,
            running.assignee_id,
            data,
            await _breach_mails(db, running),
        ):
            continue
        breached.append(running)
        await _escalate(lifecycle, running)
    return breached


async def _breach_mails(db: Database, running: Clock) -> tuple[OutgoingMail, ...]:
    """Escalation by mail: one to each of the team's agents who take mail (``sla_breached``,
    composed when due); a clock's mail is written once however often it is checked."""
    if running.target.escalation != "mail":
        return ()
    clock_key = f"{running.conversation_id}:{running.episode}:{running.kind}"
    clock_key += f":{running.started_at.timestamp():.0f}"
    return tuple(
        OutgoingMail(
            "sla_breached",
            conversation_id=running.conversation_id,
            agent_id=agent_id,
            dedupe_key=f"sla:{clock_key}:{agent_id}",
            data={
                "kind": running.kind,
                "target": running.target.name,
                "minutes": round(running.target_seconds / 60),
            },
        )
        for agent_id in await mailable_team_agent_ids(db, running.team_id)
    )


async def _escalate(lifecycle: Lifecycle, running: Clock) -> None:
    how = running.target.escalation
    if how == "none":
        return
    what = "first" if running.kind == "first" else "next"
    minutes = round(running.target_seconds / 60)
    conversation = await lifecycle.conversation(running.conversation_id)
    note = f"The {what}-response target ({running.target.name}, {minutes} min) was missed."
    if how == "reassign" and conversation.assignee_id is not None:
        await lifecycle.requeue(conversation.id, reason="sla_breached")
        note += " Back in the queue for the next free agent."
    elif how == "mail":
        note += " The team has been mailed."
    await lifecycle.system_message(conversation, note, internal=True)


# --- compliance, for Reports ------------------------------------------------------------------


async def compliance(
    db: Database,
    start: datetime,
    end: datetime,
    *,
    agent_id: str | None = None,
    team_id: str | None = None,
) -> dict[str, Any]:
    """First- and next-response compliance and breaches per agent and team over [start, end),
    of one agent's responses and breaches or one team's when asked (Reports' filters).

    ``compliance`` is the share of first responses given before their clock ran out;
    ``next_compliance`` the share of next responses (a reply to a visitor who wrote again
    after an earlier reply) given with no next-response breach while the visitor waited.
    Responses are charged to the agent who wrote them; breaches count both clocks, charged to
    the agent who held the conversation (none while queued).
    """

    def wanted(agent: str | None, team: str | None) -> bool:
        return agent_id in (None, agent) and team_id in (None, team)

    answered = [
        a for a in await store.first_responses(db, start, end) if wanted(a.agent_id, a.team_id)
    ]
    answered_next = [
        a for a in await store.next_responses(db, start, end) if wanted(a.agent_id, a.team_id)
    ]
    missed = [m for m in await store.breaches(db, start, end) if wanted(m[1], m[2])]

    def tally(group: Callable[[str | None, str | None], str | None]) -> dict[str, Any]:
        rows: dict[str | None, dict[str, int]] = defaultdict(
            lambda: {
                "first_responses": 0,
                "on_time": 0,
                "next_responses": 0,
                "next_on_time": 0,
                "first_breaches": 0,
                "next_breaches": 0,
            }
        )
        for one in answered:
            row = rows[group(one.agent_id, one.team_id)]
            row["first_responses"] += 1
            row["on_time"] += not one.breached
        for one in answered_next:
            row = rows[group(one.agent_id, one.team_id)]
            row["next_responses"] += 1
            row["next_on_time"] += not one.breached
        for kind, agent_id, team_id in missed:
            rows[group(agent_id, team_id)][f"{kind}_breaches"] += 1
        return {
            str(key): {
                **row,
                "compliance": _share(row["on_time"], row["first_responses"]),
                "next_compliance": _share(row["next_on_time"], row["next_responses"]),
            }
            for key, row in rows.items()
            if key is not None
        }

    return {
        "start": clock.iso(start),
        "end": clock.iso(end),
        "agents": tally(lambda agent, team: agent),
        "teams": tally(lambda agent, team: team),
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
