"""Channel bookkeeping shared by both buses: which local handlers listen to which channel."""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley.bus import Handler

logger = logging.getLogger(__name__)


class LocalSubscription:
    def __init__(self, registry: LocalRegistry, channel: str, handler: Handler) -> None:
        self._registry = registry
        self._channel = channel
        self._handler = handler
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._registry.remove(self._channel, self._handler)


class LocalRegistry:
    """Handlers per channel in this process; tells its owner when a channel gains or loses all."""

    def __init__(
        self,
        on_first: Callable[[str], None] = lambda channel: None,
        on_last: Callable[[str], None] = lambda channel: None,
    ) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._on_first = on_first
        self._on_last = on_last

    def add(self, channel: str, handler: Handler) -> LocalSubscription:
        handlers = self._handlers.setdefault(channel, [])
        handlers.append(handler)
        if len(handlers) == 1:
            self._on_first(channel)
        return LocalSubscription(self, channel, handler)

    def remove(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel)
        if not handlers:
            return
        handlers.remove(handler)
        if not handlers:
            del self._handlers[channel]
            self._on_last(channel)

    def channels(self) -> list[str]:
        return list(self._handlers)

    def deliver(self, channel: str, payload: bytes) -> None:
        """One failing handler is logged and skipped; the others still get the payload."""
        for handler in list(self._handlers.get(channel, ())):
            try:
                handler(payload)
            except Exception:
                logger.exception("bus handler failed on %s", channel)
