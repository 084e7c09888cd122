"""Slow down, then refuse, repeated failed sign-ins for one email or one address.

Failures are counted in a sliding window per key (``email:…`` and ``ip:…``). Past half the
allowance each further attempt waits a little longer; at the allowance the key is refused with
429 until old failures age out. One process counts in memory; with Redis configured, every
process counts in the same Redis sorted sets, so several processes behind a load balancer
allow exactly the configured number of failures, not that number times the process count.
"""

from __future__ import annotations

import secrets
import time
from collections import deque

from redis.asyncio import Redis

from parley.errors import RateLimited

WINDOW_SECONDS = 15 * 60
_STEP_SECONDS = 0.25
_MAX_DELAY_SECONDS = 2.0
_MAX_TRACKED_KEYS = 100_000
_REDIS_PREFIX = "parley:login-failures:"


class LoginThrottle:
    """The policy. Subclasses say where failures are kept (``_recent``, ``_add``, ``_forget``)."""

    def __init__(self, max_failures: int) -> None:
        self.max_failures = max_failures

    async def check(self, keys: list[str]) -> float:
        """Raise ``RateLimited`` when any key is used up; else the delay to impose (seconds)."""
        now = time.time()
        counts = await self._recent(keys, now - WINDOW_SECONDS)
        blocked = [failures for failures in counts if len(failures) >= self.max_failures]
        if blocked:
            # The window frees a slot when the oldest failure of the fullest key ages out.
            frees_at = max(failures[-self.max_failures] for failures in blocked) + WINDOW_SECONDS
            raise RateLimited(
                "too many failed sign-ins; try again later",
                retry_after=max(1, round(frees_at - now)),
            )
        worst = max((len(failures) for failures in counts), default=0)
        over_half = worst - self.max_failures // 2
        return min(_MAX_DELAY_SECONDS, _STEP_SECONDS * over_half) if over_half > 0 else 0.0

    async def record_failure(self, keys: list[str]) -> None:
        await self._add(keys, time.time())

    async def record_success(self, keys: list[str]) -> None:
        """The right password forgives the email's failures, never the address's."""
        await self._forget([key for key in keys if key.startswith("email:")])

    async def _recent(self, keys: list[str], since: float) -> list[list[float]]:
        """Each key's failure times after ``since``, oldest first."""
        raise NotImplementedError

    async def _add(self, keys: list[str], at: float) -> None:
        raise NotImplementedError

    async def _forget(self, keys: list[str]) -> None:
        raise NotImplementedError


class MemoryLoginThrottle(LoginThrottle):
    def __init__(self, max_failures: int) -> None:
        super().__init__(max_failures)
        self._failures: dict[str, deque[float]] = {}

    async def _recent(self, keys: list[str], since: float) -> list[list[float]]:
        recent = []
        for key in keys:
            failures = self._failures.get(key, deque())
            while failures and failures[0] <= since:
                failures.popleft()
            if not failures:
                self._failures.pop(key, None)
            recent.append(list(failures))
        return recent

    async def _add(self, keys: list[str], at: float) -> None:
        if len(self._failures) > _MAX_TRACKED_KEYS:  # bound memory under a spraying attack
            self._failures.clear()
        for key in keys:
            self._failures.setdefault(key, deque()).append(at)

    async def _forget(self, keys: list[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)


class RedisLoginThrottle(LoginThrottle):
    """A sorted set per key (score: the failure time) that expires with the window."""

    def __init__(self, redis: Redis, max_failures: int) -> None:
        super().__init__(max_failures)
        self._redis = redis

    async def _recent(self, keys: list[str], since: float) -> list[list[float]]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zremrangebyscore(_REDIS_PREFIX + key, "-inf", since)
                pipe.zrange(_REDIS_PREFIX + key, 0, -1, withscores=True)
            replies = await pipe.execute()
        return [[score for _, score in members] for members in replies[1::2]]

    async def _add(self, keys: list[str], at: float) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zadd(_REDIS_PREFIX + key, {f"{at}:{secrets.token_hex(4)}": at})
                pipe.expire(_REDIS_PREFIX + key, WINDOW_SECONDS)
            await pipe.execute()

    async def _forget(self, keys: list[str]) -> None:
        if keys:
            await self._redis.delete(*(_REDIS_PREFIX + key for key in keys))
