"""How uvicorn runs Parley: the options `parley serve` (and the tests' live server) use, and
the one ceiling that must act before Parley sees a request at all.

A connection that opens and never finishes its request headers (or sends them a byte at a
time) holds a socket and memory for as long as the client likes; uvicorn waits forever for
the first request. ``HeaderDeadlineProtocol`` closes a connection whose request line and
headers are not complete within ``PARLEY_HEADER_TIMEOUT_SECONDS`` of it opening (or of the
previous response, on a kept-alive connection).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from parley.config import Settings


@functools.cache
def _header_timeout_seconds() -> float:
    """Read once per process, as the app itself reads its settings (each worker builds its own
    protocol from an import string, so nothing else can be handed to it)."""
    return float(Settings.from_env().header_timeout_seconds)


class HeaderDeadlineProtocol(H11Protocol):
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request's headers are all in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(
            _header_timeout_seconds(), self._headers_too_slow
        )

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


SERVER_OPTIONS: dict[str, Any] = {
    "http": "parley.serving:HeaderDeadlineProtocol",
    "ws": "websockets-sansio",
    "ws_per_message_deflate": False,  # ~40 KB per idle socket for nothing (DESIGN.md)
    "ws_max_size": 64 * 1024,
    "proxy_headers": False,  # the app applies PARLEY_TRUSTED_PROXIES itself
}
