"""Sliding-window counts per key: how often one client address may do a thing (create a
visitor, upload a file) within a window.

In memory for one process; in Redis when ``PARLEY_REDIS_URL`` is set, so every process of a
scaled-out site draws on one allowance (behind a load balancer of N processes a client would
otherwise get N times it). Redis's check is one MULTI/EXEC transaction: the event is counted
first and taken back if it was over, so concurrent requests in any process see distinct counts.
While Redis is unreachable each process counts in memory (``parley.redisfallback``).
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque

from redis.asyncio import Redis

from parley.errors import RateLimited
from parley.redisfallback import LocalFallback

_MAX_TRACKED_KEYS = 100_000
_REDIS_PREFIX = "parley:rate:"


class RateWindow:
    def __init__(self, name: str, limit: int, window_seconds: float) -> None:
        self.name = name  # which allowance: keys of different windows never meet
        self.limit = limit
        self.window_seconds = window_seconds

    async def hit(self, key: str, what: str) -> None:
        """Count one event for ``key``; ``RateLimited`` (nothing counted) past the limit."""
        oldest = await self._count(key, time.time())
        if oldest is not None:
            retry_after = math.ceil(oldest + self.window_seconds - time.time())
            raise RateLimited(
                f"too many {what}; try again shortly", retry_after=max(1, retry_after)
            )

    async def _count(self, key: str, now: float) -> float | None:
        """Count the event unless the window is full; when full, the oldest event's time."""
        raise NotImplementedError


class MemoryRateWindow(RateWindow):
    def __init__(self, name: str, limit: int, window_seconds: float) -> None:
        super().__init__(name, limit, window_seconds)
        self._events: dict[str, deque[float]] = {}

    async def _count(self, key: str, now: float) -> float | None:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= _MAX_TRACKED_KEYS:  # bound memory under a spray
                self._forget_idle(now)
            events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window_seconds:
            events.popleft()
        if len(events) >= self.limit:
            return events[0]
        events.append(now)
        return None

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, v in self._events.items() if not v or v[-1] <= now - self.window_seconds
        ]:
            del self._events[key]
        if len(self._events) >= _MAX_TRACKED_KEYS:
            self._events.clear()


class RedisRateWindow(RateWindow):
    """A sorted set per key (score: the time), expiring with the window."""

    def __init__(self, redis: Redis, name: str, limit: int, window_seconds: float) -> None:
        super().__init__(name, limit, window_seconds)
        self._redis = redis
        self._local = MemoryRateWindow(name, limit, window_seconds)
        self._fallback = LocalFallback(f"the {name} window")

    async def _count(self, key: str, now: float) -> float | None:
        return await self._fallback.run(
            lambda: self._count_shared(key, now), lambda: self._local._count(key, now)
        )

    async def _count_shared(self, key: str, now: float) -> float | None:
        redis_key = f"{_REDIS_PREFIX}{self.name}:{key}"
        marker = f"{now}:{secrets.token_hex(4)}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(redis_key, "-inf", now - self.window_seconds)
            pipe.zadd(redis_key, {marker: now})
            pipe.expire(redis_key, math.ceil(self.window_seconds))
            pipe.zrank(redis_key, marker)
            pipe.zrange(redis_key, 0, 0, withscores=True)
            *_, rank, oldest = await pipe.execute()
        if rank < self.limit:
            return None
        await self._redis.zrem(redis_key, marker)
        return float(oldest[0][1])
