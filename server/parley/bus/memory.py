"""The one-process bus: publishing is calling the local handlers."""

from __future__ import annotations

from parley.bus import Handler, Subscription
from parley.bus.local import LocalRegistry


class MemoryBus:
    def __init__(self) -> None:
        self._registry = LocalRegistry()

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def publish(self, channel: str, payload: bytes) -> None:
        self._registry.deliver(channel, payload)

    def subscribe(self, channel: str, handler: Handler) -> Subscription:
        return self._registry.add(channel, handler)
