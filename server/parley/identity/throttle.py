"""Sign-in throttling: a hard limit per address, a growing delay per email.

Every password guess first *reserves* its place: it is counted as a failure before the password
is even looked at, in one atomic step, and the count it sees decides what happens. So forty
guesses sent at once see counts 1 to 40, and only the allowance gets through; a check made
before the attempt and a failure counted after it would let all forty through together.

- The address (``ip:…``) is the hard limit: past ``max_failures`` within the window, 429 until
  old failures age out. An attacker's address runs out, not the agent's.
- The email (``email:…``) is never locked: past half the allowance each guess waits a little
  longer (up to a cap), so an agent whose email is being guessed from elsewhere still signs in
  from their own address with the right password, a moment later.

A right password takes back its reservation and forgives the email's failures (never the
address's). One process counts in memory; with Redis configured, every process counts in the
same Redis sorted sets, so processes behind a load balancer share one allowance (and each
counts in memory while Redis is unreachable: ``parley.redisfallback``).
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass

from redis.asyncio import Redis

from parley.errors import RateLimited
from parley.redisfallback import LocalFallback, nothing_here

WINDOW_SECONDS = 15 * 60
_STEP_SECONDS = 0.25
_MAX_DELAY_SECONDS = 2.0
_MAX_TRACKED_KEYS = 100_000
_REDIS_PREFIX = "parley:login-failures:"


def email_key(email: str) -> str:
    return f"email:{email.strip().lower()}"


def address_key(address: str) -> str:
    return f"ip:{address}"


@dataclass(frozen=True)
class Attempt:
    """One reserved guess: its keys, its marker in each key's set, and the delay it must wait."""

    keys: tuple[str, ...]
    marker: str
    delay: float


class LoginThrottle:
    """The policy. Subclasses say where reservations are kept (``_reserve``, ``_release``,
    ``_forget``); ``_reserve`` must be atomic across every process sharing the counts."""

    def __init__(self, max_failures: int) -> None:
        self.max_failures = max_failures

    async def reserve(self, email: str, address: str) -> Attempt:
        """Count a guess at ``email`` from ``address`` before it is checked: ``RateLimited``
        when the address has used its allowance, else the attempt and its delay."""
        keys = (email_key(email), address_key(address))
        now = time.time()
        marker = f"{now}:{secrets.token_hex(6)}"
        email_times, address_times = await self._reserve(keys, marker, now, now - WINDOW_SECONDS)
        if len(address_times) > self.max_failures:
            await self._release(keys, marker)
            # This guess could go once every failure but the newest max_failures - 1 aged out.
            frees_at = address_times[-(self.max_failures + 1)] + WINDOW_SECONDS
            raise RateLimited(
                "too many failed sign-ins from your address; try again later",
                retry_after=max(1, round(frees_at - now)),
            )
        over_half = len(email_times) - self.max_failures // 2
        delay = min(_MAX_DELAY_SECONDS, _STEP_SECONDS * over_half) if over_half > 0 else 0.0
        return Attempt(keys, marker, delay)

    async def succeeded(self, attempt: Attempt) -> None:
        """The right password: its reservation was no failure, and the email starts clean."""
        await self._release(attempt.keys, attempt.marker)
        await self._forget([attempt.keys[0]])

    async def forgive(self, email: str) -> None:
        """Forget an email's failures (an admin set a new password); the address's stay."""
        await self._forget([email_key(email)])

    async def _reserve(
        self, keys: tuple[str, ...], marker: str, at: float, since: float
    ) -> list[list[float]]:
        """Drop each key's entries up to ``since``, add ``marker`` at ``at``, and return each
        key's remaining times, oldest first, all in one atomic step."""
        raise NotImplementedError

    async def _release(self, keys: tuple[str, ...], marker: str) -> None:
        raise NotImplementedError

    async def _forget(self, keys: list[str]) -> None:
        raise NotImplementedError


class MemoryLoginThrottle(LoginThrottle):
    """One process: ``_reserve`` never awaits, so no other guess runs inside it."""

    def __init__(self, max_failures: int) -> None:
        super().__init__(max_failures)
        self._entries: dict[str, deque[tuple[float, str]]] = {}

    async def _reserve(
        self, keys: tuple[str, ...], marker: str, at: float, since: float
    ) -> list[list[float]]:
        if len(self._entries) > _MAX_TRACKED_KEYS:  # bound memory under a spraying attack
            self._entries.clear()
        times = []
        for key in keys:
            entries = self._entries.setdefault(key, deque())
            while entries and entries[0][0] <= since:
                entries.popleft()
            entries.append((at, marker))
            times.append([entry_at for entry_at, _ in entries])
        return times

    async def _release(self, keys: tuple[str, ...], marker: str) -> None:
        for key in keys:
            entries = self._entries.get(key)
            if entries is None:
                continue
            kept = deque(entry for entry in entries if entry[1] != marker)
            if kept:
                self._entries[key] = kept
            else:
                del self._entries[key]

    async def _forget(self, keys: list[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)


class RedisLoginThrottle(LoginThrottle):
    """A sorted set per key (score: the time) that expires with the window; ``_reserve`` is
    one MULTI/EXEC transaction, so concurrent guesses in any process see distinct counts."""

    def __init__(self, redis: Redis, max_failures: int) -> None:
        super().__init__(max_failures)
        self._redis = redis
        self._local = MemoryLoginThrottle(max_failures)
        self._fallback = LocalFallback("failed sign-ins")

    async def _reserve(
        self, keys: tuple[str, ...], marker: str, at: float, since: float
    ) -> list[list[float]]:
        return await self._fallback.run(
            lambda: self._reserve_shared(keys, marker, at, since),
            lambda: self._local._reserve(keys, marker, at, since),
        )

    async def _release(self, keys: tuple[str, ...], marker: str) -> None:
        await self._local._release(keys, marker)  # wherever it was reserved
        await self._fallback.run(lambda: self._release_shared(keys, marker), nothing_here)

    async def _forget(self, keys: list[str]) -> None:
        await self._local._forget(keys)
        await self._fallback.run(lambda: self._forget_shared(keys), nothing_here)

    async def _reserve_shared(
        self, keys: tuple[str, ...], marker: str, at: float, since: float
    ) -> list[list[float]]:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.zremrangebyscore(_REDIS_PREFIX + key, "-inf", since)
                pipe.zadd(_REDIS_PREFIX + key, {marker: at})
                pipe.expire(_REDIS_PREFIX + key, WINDOW_SECONDS)
                pipe.zrange(_REDIS_PREFIX + key, 0, -1, withscores=True)
            replies = await pipe.execute()
        return [[score for _, score in members] for members in replies[3::4]]

    async def _release_shared(self, keys: tuple[str, ...], marker: str) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zrem(_REDIS_PREFIX + key, marker)
            await pipe.execute()

    async def _forget_shared(self, keys: list[str]) -> None:
        if keys:
            await self._redis.delete(*(_REDIS_PREFIX + key for key in keys))
