"""Fan-out between processes. Knows channels and bytes, nothing of chat.

Publishers publish *after* their database commit; subscribers treat the bus as a doorbell
that usually carries the news: every chat event has a ``seq``, and a subscriber that sees a
gap re-reads the store. A lost bus message is a delay, never a loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Handler = Callable[[bytes], None]


class Subscription(Protocol):
    def close(self) -> None: ...


class Bus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, channel: str, payload: bytes) -> None: ...

    def subscribe(self, channel: str, handler: Handler) -> Subscription:
        """Call ``handler`` (synchronously, on the event loop) for each payload on ``channel``."""
        ...
