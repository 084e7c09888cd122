"""Slow down, then refuse, repeated failed sign-ins for one email or one address.

Failures are counted in a sliding window per key (``email:…`` and ``ip:…``). Past half the
allowance each further attempt waits a little longer; at the allowance the key is refused with
429 until old failures age out. Counts live in this process: with several processes each
keeps its own, so the effective allowance is multiplied by the process count (docs/deployment.md).
"""

from __future__ import annotations

import time
from collections import deque

from parley.errors import RateLimited

WINDOW_SECONDS = 15 * 60
_STEP_SECONDS = 0.25
_MAX_DELAY_SECONDS = 2.0
_MAX_TRACKED_KEYS = 100_000


class LoginThrottle:
    def __init__(self, max_failures: int) -> None:
        self.max_failures = max_failures
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - WINDOW_SECONDS:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def check(self, keys: list[str]) -> float:
        """Raise ``RateLimited`` when any key is used up; else the delay to impose (seconds)."""
        now = time.monotonic()
        counts = {key: self._recent(key, now) for key in keys}
        blocked = [failures for failures in counts.values() if len(failures) >= self.max_failures]
        if blocked:
            # The window frees a slot when the oldest failure of the fullest key ages out.
            frees_at = max(failures[-self.max_failures] for failures in blocked) + WINDOW_SECONDS
            raise RateLimited(
                "too many failed sign-ins; try again later",
                retry_after=max(1, round(frees_at - now)),
            )
        worst = max((len(failures) for failures in counts.values()), default=0)
        over_half = worst - self.max_failures // 2
        return min(_MAX_DELAY_SECONDS, _STEP_SECONDS * over_half) if over_half > 0 else 0.0

    def record_failure(self, keys: list[str]) -> None:
        now = time.monotonic()
        if len(self._failures) > _MAX_TRACKED_KEYS:  # bound memory under a spraying attack
            self._failures.clear()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def record_success(self, keys: list[str]) -> None:
        for key in keys:
            if key.startswith("email:"):
                self._failures.pop(key, None)
