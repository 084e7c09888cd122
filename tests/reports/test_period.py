"""Periods are whole days of the site's time zone, whatever the server's clock says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from parley.errors import BadRequest
from parley.reports.period import parse_period

LJUBLJANA = ZoneInfo("Europe/Ljubljana")
TOKYO = ZoneInfo("Asia/Tokyo")
LATE_MONDAY_UTC = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # already Tuesday in both zones


def test_presets_end_today_in_the_sites_zone() -> None:
    week = parse_period("7d", None, None, zone=LJUBLJANA, now=LATE_MONDAY_UTC)
    assert (week.first, week.last) == (date(2026, 12, 2), date(2026, 12, 8))
    assert week.start == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)
    today = parse_period("today", None, None, zone=TOKYO, now=LATE_MONDAY_UTC)
    assert (today.start, today.end) == (
        datetime(2026, 12, 7, 15, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 15, 0, tzinfo=UTC),
    )


def test_a_custom_period_across_a_clock_change_and_its_previous() -> None:
    march = parse_period(None, "2026-03-29", "2026-03-29", zone=LJUBLJANA, now=LATE_MONDAY_UTC)
    assert (march.end - march.start).total_seconds() == 23 * 3600  # summer time began
    before = march.previous()
    assert (before.first, before.last) == (date(2026, 3, 28), date(2026, 3, 28))
    month = parse_period("30d", None, None, zone=LJUBLJANA, now=LATE_MONDAY_UTC).previous()
    assert (month.first, month.last, month.days) == (date(2026, 10, 10), date(2026, 11, 8), 30)


@pytest.mark.parametrize(
    ("name", "first", "last", "message"),
    [
        ("yesterday", None, None, "period must be one of"),
        ("custom", "2026-12-01", None, "needs both"),
        (None, "2026-12-05", "2026-12-01", "must not be after"),
        (None, "2026-13-01", "2026-12-01", "dates like"),
        (None, "2024-01-01", "2026-12-01", "at most 366 days"),
    ],
)
def test_a_bad_period_is_refused_with_a_reason(
    name: str | None, first: str | None, last: str | None, message: str
) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_period(name, first, last, zone=LJUBLJANA, now=LATE_MONDAY_UTC)
