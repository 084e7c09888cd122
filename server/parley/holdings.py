"""How many of a thing one key holds open at once (sockets per client address), with a
ceiling: in memory for one process, or in Redis when ``PARLEY_REDIS_URL`` is set, so that a
client spreading its sockets over N processes still gets one allowance, not N.

In Redis each open thing is a member of a sorted set per key, scored by when its lease ends;
the process holding it renews the leases of everything it holds every ``LEASE_SECONDS / 3``,
so what a crashed process held is forgotten within ``LEASE_SECONDS``. A claim is one MULTI/EXEC
(drop expired leases, add, count): concurrent claims in any process see distinct counts.

A renewal is one script call per ``RENEWAL_CHUNK`` leases, not two commands per lease: a process
holding a thousand sockets had stalled its event loop every twenty seconds packing and parsing
two thousand commands and their replies.

While Redis is unreachable each process counts what it holds in memory
(``parley.redisfallback``); a Redis lease it cannot release then runs out on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import Counter

from redis.asyncio import Redis

from parley.redisfallback import REDIS_UNREACHABLE, LocalFallback

LEASE_SECONDS = 60.0
RENEWAL_CHUNK = 500
_REDIS_PREFIX = "parley:held:"

# KEYS: one sorted set per lease; ARGV: the new lease end, the sets' lifetime, then the
# tickets in the order of KEYS. XX: a lease a claim dropped as expired stays dropped.
_RENEW = """
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[1], ARGV[i + 2])
  redis.call('EXPIRE', key, ARGV[2])
end
return #KEYS
"""


class Holdings:
    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit

    async def claim(self, key: str) -> str | None:
        """A ticket for one more held under ``key``, or None when ``key`` holds ``limit``."""
        raise NotImplementedError

    async def release(self, key: str, ticket: str) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        """Keep what this process holds alive (Redis); returns at once in memory."""


class MemoryHoldings(Holdings):
    def __init__(self, name: str, limit: int) -> None:
        super().__init__(name, limit)
        self._held: Counter[str] = Counter()
        self._tickets = itertools.count()

    async def claim(self, key: str) -> str | None:
        if self._held[key] >= self.limit:
            return None
        self._held[key] += 1
        return str(next(self._tickets))

    async def release(self, key: str, ticket: str) -> None:
        self._held[key] -= 1
        if self._held[key] <= 0:
            del self._held[key]


class RedisHoldings(Holdings):
    def __init__(
        self, redis: Redis, name: str, limit: int, *, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        super().__init__(name, limit)
        self._redis = redis
        self._lease_seconds = lease_seconds
        self._renew_script = redis.register_script(_RENEW)
        self._process = secrets.token_hex(6)
        self._tickets = itertools.count()
        self._mine: dict[str, str] = {}  # ticket -> Redis key, for renewing the leases
        self._local = MemoryHoldings(name, limit)  # its tickets have no ":" in them
        self._fallback = LocalFallback(f"{name} held per client address")

    def _key(self, key: str) -> str:
        return f"{_REDIS_PREFIX}{self.name}:{key}"

    async def claim(self, key: str) -> str | None:
        return await self._fallback.run(
            lambda: self._claim_shared(key), lambda: self._local.claim(key)
        )

    async def _claim_shared(self, key: str) -> str | None:
        redis_key, ticket = self._key(key), f"{self._process}:{next(self._tickets)}"
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(redis_key, "-inf", now)
            pipe.zadd(redis_key, {ticket: now + self._lease_seconds})
            pipe.expire(redis_key, self._lifetime)
            pipe.zcard(redis_key)
            *_, held = await pipe.execute()
        if held > self.limit:
            await self._redis.zrem(redis_key, ticket)
            return None
        self._mine[ticket] = redis_key
        return ticket

    async def release(self, key: str, ticket: str) -> None:
        if ":" not in ticket:
            await self._local.release(key, ticket)
            return
        self._mine.pop(ticket, None)
        with contextlib.suppress(*REDIS_UNREACHABLE):  # unrenewed, the lease runs out
            await self._redis.zrem(self._key(key), ticket)

    @property
    def _lifetime(self) -> int:
        """Seconds a sorted set outlives its newest lease, in whole seconds as EXPIRE takes."""
        return int(self._lease_seconds) + 1

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._lease_seconds / 3)
            with contextlib.suppress(Exception):  # Redis away: the next round renews
                await self._renew()

    async def _renew(self) -> None:
        lease_end = time.time() + self._lease_seconds
        held = list(self._mine.items())
        for start in range(0, len(held), RENEWAL_CHUNK):
            chunk = held[start : start + RENEWAL_CHUNK]
            await self._renew_script(
                keys=[redis_key for _, redis_key in chunk],
                args=[lease_end, self._lifetime, *(ticket for ticket, _ in chunk)],
            )
