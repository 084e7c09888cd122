from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parley.routing.router import Candidate, expected_wait_seconds, pick_agent

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _agent(
    agent_id: str,
    open_count: int,
    idle_minutes: int | None = 5,
    capacity: int = 3,
    teams: tuple[str, ...] = ("support",),
) -> Candidate:
    last = None if idle_minutes is None else NOW - timedelta(minutes=idle_minutes)
    return Candidate(agent_id, open_count, capacity, last, frozenset(teams))


def test_fewest_open_conversations_wins() -> None:
    assert pick_agent([_agent("a", 2), _agent("b", 1), _agent("c", 2)], "support") == "b"


def test_ties_go_to_the_longest_idle() -> None:
    candidates = [_agent("a", 1, idle_minutes=3), _agent("b", 1, idle_minutes=30)]
    assert pick_agent(candidates, "support") == "b"
    assert pick_agent([*candidates, _agent("never", 1, idle_minutes=None)], "support") == "never"


def test_full_agents_and_other_teams_are_skipped() -> None:
    assert (
        pick_agent([_agent("full", 3), _agent("billing", 0, teams=("billing",))], "support") is None
    )
    assert pick_agent([_agent("billing", 0, teams=("billing",))], "billing") == "billing"


def test_expected_wait_grows_with_position_and_shrinks_with_agents() -> None:
    assert expected_wait_seconds(1, 300, 1) == 300
    assert expected_wait_seconds(4, 300, 2) == 600
    assert expected_wait_seconds(1, 300, 0) == 300
