"""The sign-in throttle's policy, counted in memory and in Redis (shared by processes)."""

from __future__ import annotations

import asyncio
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
    """A name no other test (or earlier run against the same Redis) has used."""
    return f"{kind}-{secrets.token_hex(6)}"


async def test_an_address_is_refused_past_the_allowance_across_emails(
    make_throttle: MakeThrottle,
) -> None:
    throttle = make_throttle(3)
    address = _fresh("ip")
    for _ in range(3):
        await throttle.reserve(_fresh("email"), address)
    with pytest.raises(RateLimited) as refused:
        await throttle.reserve(_fresh("email"), address)
    assert 0 < refused.value.retry_after <= 15 * 60
    assert (await throttle.reserve(_fresh("email"), _fresh("ip"))).delay == 0.0


async def test_an_email_is_slowed_but_never_locked(make_throttle: MakeThrottle) -> None:
    throttle = make_throttle(4)
    email = _fresh("email")
    delays = [(await throttle.reserve(email, _fresh("ip"))).delay for _ in range(8)]
    assert delays[:2] == [0.0, 0.0]
    assert 0 < delays[2] < delays[3] <= delays[7] <= 2.0


async def test_concurrent_guesses_get_exactly_the_allowance(make_throttle: MakeThrottle) -> None:
    throttle = make_throttle(10)
    email, address = _fresh("email"), _fresh("ip")

    async def guess() -> str:
        try:
            await throttle.reserve(email, address)
        except RateLimited:
            return "refused"
        return "let through"

    outcomes = await asyncio.gather(*(guess() for _ in range(40)))
    assert outcomes.count("let through") == 10


async def test_success_takes_back_its_reservation_and_forgives_the_email(
    make_throttle: MakeThrottle,
) -> None:
    throttle = make_throttle(2)
    email, address = _fresh("email"), _fresh("ip")
    await throttle.reserve(email, address)  # a failure
    await throttle.succeeded(await throttle.reserve(email, address))
    assert (await throttle.reserve(email, _fresh("ip"))).delay == 0.0  # the email starts clean
    with pytest.raises(RateLimited):  # the address kept its one failure and this is its second
        await throttle.reserve(_fresh("email"), address)
        await throttle.reserve(_fresh("email"), address)


async def test_processes_sharing_redis_share_one_allowance() -> None:
    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    email, address = _fresh("email"), _fresh("ip")
    for redis in (first, second, first, second):
        await RedisLoginThrottle(redis, 4).reserve(email, address)
    with pytest.raises(RateLimited):
        await RedisLoginThrottle(first, 4).reserve(email, address)
    await first.aclose()
    await second.aclose()
