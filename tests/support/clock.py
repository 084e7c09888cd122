"""A clock tests move by hand: ``parley.clock.now`` answers what the test says it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parley import clock


class FrozenClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)

    def at(self, *when: int) -> None:
        """Set the clock to a UTC moment: ``at(2026, 12, 4, 15, 30)``."""
        self.moment = datetime(*when, tzinfo=UTC)  # type: ignore[misc]


def freeze(monkeypatch: pytest.MonkeyPatch, start: datetime) -> FrozenClock:
    """Stop Parley's clock at ``start``; it moves only when the test advances it."""
    frozen = FrozenClock(start)
    monkeypatch.setattr(clock, "now", frozen.now)
    return frozen
