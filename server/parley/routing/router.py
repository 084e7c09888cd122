"""The assignment policy, and nothing else: plain values in, an agent id (or None) out.

Among online agents of the conversation's team with room below their capacity, the one with
the fewest open conversations wins; ties go to whoever has waited longest since their last
assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    agent_id: str
    open_count: int
    capacity: int
    last_assigned_at: datetime | None
    team_ids: frozenset[str]


def pick_agent(candidates: list[Candidate], team_id: str | None) -> str | None:
    eligible = [
        c
        for c in candidates
        if c.open_count < c.capacity and (team_id is None or team_id in c.team_ids)
    ]
    if not eligible:
        return None
    chosen = min(eligible, key=lambda c: (c.open_count, c.last_assigned_at or _NEVER, c.agent_id))
    return chosen.agent_id


def expected_wait_seconds(position: int, average_handle_seconds: float, agents_online: int) -> int:
    """Rough wait at queue ``position``: each online agent clears one per handle time."""
    return round(position * average_handle_seconds / max(1, agents_online))
