"""Both buses deliver to every subscriber of a channel, and only to them."""

from __future__ import annotations

import asyncio
import uuid

from parley.bus import Bus
from parley.bus.redis import MAX_CONNECTIONS, RedisBus
from tests.conftest import REDIS_URL


async def _settle() -> None:
    await asyncio.sleep(0.1)  # Redis subscriptions are applied asynchronously


async def test_publish_reaches_subscribers_of_that_channel_only(bus_pair: tuple[Bus, Bus]) -> None:
    publisher, subscriber = bus_pair
    got: list[bytes] = []
    other: list[bytes] = []
    subscription = subscriber.subscribe("conv:test-a", got.append)
    subscriber.subscribe("conv:test-b", other.append)
    await _settle()
    await publisher.publish("conv:test-a", b"hello")
    await _settle()
    assert got == [b"hello"]
    assert other == []
    subscription.close()
    await _settle()
    await publisher.publish("conv:test-a", b"after close")
    await _settle()
    assert got == [b"hello"]


async def test_a_failing_handler_does_not_starve_the_others(bus_pair: tuple[Bus, Bus]) -> None:
    publisher, subscriber = bus_pair

    def broken(payload: bytes) -> None:
        raise RuntimeError("a bad socket")

    got: list[bytes] = []
    subscriber.subscribe("conv:test-c", broken)
    subscriber.subscribe("conv:test-c", got.append)
    await _settle()
    await publisher.publish("conv:test-c", b"still delivered")
    await _settle()
    assert got == [b"still delivered"]


async def test_a_burst_of_commands_waits_for_a_connection_instead_of_failing() -> None:
    """Hundreds of sockets opening at once each claim a lease in Redis: past the pool's
    size they wait their turn (redis-py's default pool raised "Too many connections")."""
    bus = RedisBus(REDIS_URL)
    await bus.start()
    try:
        key = f"parley:test-burst:{uuid.uuid4().hex}"
        counts = await asyncio.gather(*(bus.redis.incr(key) for _ in range(MAX_CONNECTIONS * 3)))
        assert sorted(counts) == list(range(1, MAX_CONNECTIONS * 3 + 1))
        await bus.redis.delete(key)
    finally:
        await bus.close()


async def test_a_burst_of_publishes_arrives_whole_and_in_order(bus_pair: tuple[Bus, Bus]) -> None:
    """Publishes made together share pipelines; each channel still hears them in the order
    they were made, and each publisher returns only once its event was sent."""
    publisher, subscriber = bus_pair
    got: dict[str, list[bytes]] = {"conv:test-d": [], "conv:test-e": []}
    for channel, payloads in got.items():
        subscriber.subscribe(channel, payloads.append)
    await _settle()
    sent = [(f"conv:test-{'de'[n % 2]}", str(n).encode()) for n in range(600)]
    await asyncio.gather(*(publisher.publish(channel, payload) for channel, payload in sent))
    for _ in range(50):
        if sum(map(len, got.values())) == len(sent):
            break
        await asyncio.sleep(0.05)
    for channel, payloads in got.items():
        assert payloads == [payload for to, payload in sent if to == channel]


async def test_a_process_hears_its_own_events_at_once_and_once() -> None:
    """What a process publishes reaches its own subscribers from the publishing call, before
    Redis has it; when Redis sends it back it is not delivered again. Other processes hear it
    through Redis, once."""
    here, there = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    await here.start()
    await there.start()
    try:
        heard_here: list[bytes] = []
        heard_there: list[bytes] = []
        here.subscribe("conv:test-f", heard_here.append)
        there.subscribe("conv:test-f", heard_there.append)
        await _settle()
        publishing = asyncio.create_task(here.publish("conv:test-f", b"one"))
        await asyncio.sleep(0)  # the publish has run up to waiting for Redis
        assert heard_here == [b"one"]
        assert heard_there == []
        await publishing
        await there.publish("conv:test-f", b"two")
        await there.redis.publish("parley:conv:test-f", b"three")  # a release before the tag
        await _settle()
        assert heard_here == [b"one", b"two", b"three"]
        assert heard_there == [b"one", b"two", b"three"]
    finally:
        await here.close()
        await there.close()
