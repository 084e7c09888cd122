"""The sign-in throttle's policy, counted in memory and in Redis (shared by processes)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from parley.errors import RateLimited
from parley.identity.throttle import LoginThrottle, MemoryLoginThrottle, RedisLoginThrottle
from tests.conftest import REDIS_URL

MakeThrottle = Callable[[int], LoginThrottle]


@pytest.fixture(params=["memory", "redis"])
async def make_throttle(request: pytest.FixtureRequest) -> AsyncIterator[MakeThrottle]:
    if request.param == "memory":
        yield MemoryLoginThrottle
        return
    redis = Redis.from_url(REDIS_URL)
    yield lambda max_failures: RedisLoginThrottle(redis, max_failures)
    await redis.aclose()


def _fresh(kind: str) -> str:
    """A key no other test (or earlier run against the same Redis) has used."""
    return f"{kind}:{secrets.token_hex(6)}"


async def test_failures_are_slowed_past_half_then_refused(make_throttle: MakeThrottle) -> None:
    throttle = make_throttle(6)
    keys = [_fresh("email"), _fresh("ip")]
    delays = []
    for _ in range(6):
        delays.append(await throttle.check(keys))
        await throttle.record_failure(keys)
    assert delays[:4] == [0.0, 0.0, 0.0, 0.0]
    assert 0 < delays[4] < delays[5]
    with pytest.raises(RateLimited) as refused:
        await throttle.check(keys)
    assert 0 < refused.value.retry_after <= 15 * 60


async def test_an_address_is_limited_across_emails(make_throttle: MakeThrottle) -> None:
    throttle = make_throttle(3)
    address = _fresh("ip")
    for _ in range(3):
        await throttle.record_failure([_fresh("email"), address])
    with pytest.raises(RateLimited):
        await throttle.check([_fresh("email"), address])
    assert await throttle.check([_fresh("email"), _fresh("ip")]) == 0.0


async def test_success_forgives_the_email_but_not_the_address(make_throttle: MakeThrottle) -> None:
    throttle = make_throttle(2)
    email, address = _fresh("email"), _fresh("ip")
    await throttle.record_failure([email, address])
    await throttle.record_success([email, address])
    await throttle.record_failure([_fresh("email"), address])
    with pytest.raises(RateLimited):
        await throttle.check([email, address])
    assert await throttle.check([email, _fresh("ip")]) == 0.0  # the email starts clean again


async def test_processes_sharing_redis_share_one_allowance() -> None:
    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    keys = [_fresh("email"), _fresh("ip")]
    await RedisLoginThrottle(first, 4).record_failure(keys)
    await RedisLoginThrottle(second, 4).record_failure(keys)
    await RedisLoginThrottle(first, 4).record_failure(keys)
    await RedisLoginThrottle(second, 4).record_failure(keys)
    with pytest.raises(RateLimited):
        await RedisLoginThrottle(first, 4).check(keys)
    await first.aclose()
    await second.aclose()
