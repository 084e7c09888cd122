"""What the Redis-shared limits do when Redis does not answer: count in this process instead.

A limit is there to keep one client from hurting the others; refusing every visitor because
the place the counts are kept is away would hurt them all. So while Redis is unreachable each
limit counts in memory, per process (as a single-process Parley always does: behind N
processes a client gets up to N allowances meanwhile), logs one warning when it starts and one
when Redis answers again, and tries Redis again every ``RETRY_SECONDS`` (not on every request,
so an unreachable host's connect timeout is not paid by each one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_SECONDS = 5.0
REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class LocalFallback:
    """One shared limit's switch between Redis and its in-memory twin."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._failed_at: float | None = None  # monotonic; None while Redis answers

    @property
    def local(self) -> bool:
        """Counting in this process (Redis failed less than ``RETRY_SECONDS`` ago)."""
        return self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS

    async def run(
        self, shared: Callable[[], Awaitable[T]], in_memory: Callable[[], Awaitable[T]]
    ) -> T:
        """``shared()`` in Redis, or ``in_memory()`` while Redis is unreachable."""
        if self.local:
            return await in_memory()
        try:
            result = await shared()
        except REDIS_UNREACHABLE as error:
            if self._failed_at is None:
                logger.warning(
                    "Redis is unreachable (%s): %s counted by this process alone until it answers",
                    error,
                    self.what,
                )
            self._failed_at = time.monotonic()
            return await in_memory()
        if self._failed_at is not None:
            logger.warning("Redis answers again: %s shared by every process again", self.what)
            self._failed_at = None
        return result


async def nothing_here() -> None:
    """The in-memory side of a Redis call that has nothing to do locally (a publish of this
    process's view, an undo the local twin was already given)."""
