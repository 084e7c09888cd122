"""The stretch of time a report covers, in whole days of the site's time zone, and the
stretch just before it for comparison.

A day in Tokyo is not a day in UTC: "today" for a team in Ljubljana starts at their midnight,
so every bound is a local midnight turned into UTC before any query runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from parley.errors import BadRequest

PRESETS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}
LONGEST_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole local days ``first`` … ``last`` (inclusive) in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """The first day's local midnight, in UTC (a query's inclusive bound)."""
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day, in UTC (a query's exclusive bound)."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    def previous(self) -> Period:
        """As many days, ending the day before this one starts."""
        last = self.first - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, self.zone)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def as_json(self) -> dict[str, str]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "timezone": self.zone.key,
            "start": _iso(self.start),
            "end": _iso(self.end),
        }


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def parse_period(
    name: str | None, first: str | None, last: str | None, *, zone: ZoneInfo, now: datetime
) -> Period:
    """``today``, ``7d``, ``30d``, ``90d`` (ending today), or ``custom`` with ``from`` and ``to``
    as local dates; a clear ``BadRequest`` otherwise."""
    today = now.astimezone(zone).date()
    if first or last or name == "custom":
        if not (first and last):
            raise BadRequest(
                "a custom period needs both from and to (YYYY-MM-DD)", code="bad_period"
            )
        try:
            start, stop = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            raise BadRequest(
                "from and to must be dates like 2026-12-01", code="bad_period"
            ) from None
        if stop < start:
            raise BadRequest("from must not be after to", code="bad_period")
        if (stop - start).days + 1 > LONGEST_DAYS:
            raise BadRequest(f"a period is at most {LONGEST_DAYS} days", code="bad_period")
        return Period(start, stop, zone)
    days = PRESETS.get(name or "30d")
    if days is None:
        raise BadRequest(f"period must be one of {', '.join(PRESETS)} or custom", code="bad_period")
    return Period(today - timedelta(days=days - 1), today, zone)
