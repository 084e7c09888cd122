"""Sliding-window counts per key, in memory: how often one client address may do a thing.

Used where a burst is the abuse (a script creating visitors by the thousand) and one
process's view is enough: each process of a scaled-out site counts on its own, so the
allowance behind a load balancer is this limit times the processes, still a ceiling.
"""

from __future__ import annotations

import math
import time
from collections import deque

from parley.errors import RateLimited

_MAX_TRACKED_KEYS = 100_000


class RateWindow:
    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._events: dict[str, deque[float]] = {}

    def hit(self, key: str, what: str) -> None:
        """Count one event for ``key``; ``RateLimited`` (nothing counted) past the limit."""
        now = time.monotonic()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= _MAX_TRACKED_KEYS:  # bound memory under a spray
                self._forget_idle(now)
            events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window_seconds:
            events.popleft()
        if len(events) >= self.limit:
            retry_after = math.ceil(events[0] + self.window_seconds - now)
            raise RateLimited(
                f"too many {what}; try again shortly", retry_after=max(1, retry_after)
            )
        events.append(now)

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, v in self._events.items() if not v or v[-1] <= now - self.window_seconds
        ]:
            del self._events[key]
        if len(self._events) >= _MAX_TRACKED_KEYS:
            self._events.clear()
