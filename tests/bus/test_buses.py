"""Both buses deliver to every subscriber of a channel, and only to them."""

from __future__ import annotations

import asyncio

from parley.bus import Bus


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
