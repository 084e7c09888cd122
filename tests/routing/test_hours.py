"""Business hours counted in a wait: only the open hours, across weekends and clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

from parley.routing.hours import parse_business_hours

HOURS = parse_business_hours("mon-fri 09:00-17:00; sat 10:00-12:00", "Europe/Ljubljana")


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_wait_across_the_weekend_counts_only_open_hours() -> None:
    friday_1630 = _utc(2026, 12, 4, 15, 30)  # CET = UTC+1
    monday_0915 = _utc(2026, 12, 7, 8, 15)
    # 30 min on Friday, 2 h on Saturday, 15 min on Monday
    assert HOURS.open_seconds_between(friday_1630, monday_0915) == (30 + 120 + 15) * 60


def test_a_wait_outside_hours_counts_nothing() -> None:
    assert HOURS.open_seconds_between(_utc(2026, 12, 6, 12), _utc(2026, 12, 6, 20)) == 0


def test_the_day_the_clocks_go_forward_is_measured_in_real_seconds() -> None:
    # Sunday 29 March 2026 02:00 → 03:00; the Monday after is in CEST (UTC+2).
    before = _utc(2026, 3, 27, 15, 0)  # Friday 16:00 CET
    after = _utc(2026, 3, 30, 8, 0)  # Monday 10:00 CEST
    assert HOURS.open_seconds_between(before, after) == (60 + 120 + 60) * 60
