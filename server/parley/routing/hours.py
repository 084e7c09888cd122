"""Business hours, so a visitor who finds nobody online learns when someone will be.

Written as ``mon-fri 09:00-17:00; sat 10:00-14:00`` in a named time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Window:
    days: frozenset[int]
    opens: time
    closes: time


@dataclass(frozen=True)
class BusinessHours:
    windows: tuple[Window, ...]
    timezone: ZoneInfo
    text: str

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        return any(
            local.weekday() in window.days and window.opens <= local.time() < window.closes
            for window in self.windows
        )

    def zone_name(self) -> str:
        return self.timezone.key

    def open_seconds_between(self, start: datetime, end: datetime) -> float:
        """How many of the seconds from ``start`` to ``end`` fall inside business hours
        (a wait that crosses a weekend counts only the open hours on either side)."""
        total = 0.0
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        day = start.astimezone(self.timezone).date()
        while day <= end.astimezone(self.timezone).date():
            for window in self.windows:
                if day.weekday() not in window.days:
                    continue
                # Compared in UTC: a day when the clocks change is an hour shorter or longer.
                opens = datetime.combine(day, window.opens, self.timezone).astimezone(UTC)
                closes = datetime.combine(day, window.closes, self.timezone).astimezone(UTC)
                overlap = min(closes, end) - max(opens, start)
                total += max(0.0, overlap.total_seconds())
            day += timedelta(days=1)
        return total

    def as_json(self) -> dict[str, str]:
        return {"hours": self.text, "timezone": self.timezone.key}


def _days(spec: str) -> frozenset[int]:
    days: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        start = _DAYS.index(first)
        end = _DAYS.index(last) if last else start
        days.update(range(start, end + 1))
    return frozenset(days)


def parse_business_hours(spec: str, timezone: str) -> BusinessHours:
    """Parse the setting; a ``ValueError`` names what is wrong."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    windows = []
    for chunk in filter(None, (c.strip().lower() for c in spec.split(";"))):
        try:
            day_spec, hours_spec = chunk.split()
            opens, closes = (time.fromisoformat(t) for t in hours_spec.split("-"))
            windows.append(Window(_days(day_spec), opens, closes))
        except ValueError:
            raise ValueError(f"{chunk!r} is not like 'mon-fri 09:00-17:00'") from None
    return BusinessHours(tuple(windows), zone, spec.strip())
