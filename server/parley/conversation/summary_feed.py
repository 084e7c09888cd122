"""The agents' summary stream as one process hears it: each summary decoded once, judged once.

Every agent socket of a process listens to one stream of conversation summaries (a state
change: queued, assigned, resolved, a label). Before, each socket decoded every summary itself
and remembered the newest time of every conversation it ever heard of: with forty agents
online, forty decodes per change and forty copies of every conversation's time. Now the
process decodes a summary once for all its sockets (they receive the very same payload, one
after the other) and keeps one newest time per conversation. A summary older than the newest
seen lost a race (a handoff and the router's assignment announced at once), and no socket
passes it on.

Races settle in milliseconds, so a conversation's time is kept for ``REMEMBER_SECONDS`` after
its last change: a process running for months does not remember every conversation.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import msgspec

from parley.conversation.events import unpack

REMEMBER_SECONDS = 600.0


@dataclass(frozen=True)
class SummaryNews:
    """One payload of the agents' stream, decoded."""

    payload: bytes
    frame: bytes
    summary: dict[str, Any] | None  # None: not a conversation (the team's label list)
    stale: bool  # older than a summary of the same conversation already heard


class SummaryFeed:
    def __init__(self, *, remember_seconds: float = REMEMBER_SECONDS) -> None:
        self._remember_seconds = remember_seconds
        # id -> (updated_at, when heard), the longest unchanged first
        self._newest: dict[str, tuple[str, float]] = {}
        self._last: SummaryNews | None = None

    def read(self, payload: bytes) -> SummaryNews:
        """The payload decoded; the same object for every socket the payload is delivered to."""
        last = self._last
        if last is not None and last.payload is payload:
            return last
        frame = bytes(unpack(payload).frame)
        summary = msgspec.json.decode(frame).get("conversation")
        stale = summary is not None and self._older_than_known(summary["id"], summary["updated_at"])
        self._last = SummaryNews(payload, frame, summary, stale)
        return self._last

    def _older_than_known(self, conversation_id: str, updated_at: str | None) -> bool:
        """ISO times of one format order as strings; the newest heard per conversation wins."""
        known = self._newest.get(conversation_id)
        if updated_at is None or (known is not None and updated_at < known[0]):
            return known is not None
        now = time.monotonic()
        self._newest.pop(conversation_id, None)  # re-inserted last: the dict stays in heard order
        self._newest[conversation_id] = (updated_at, now)
        self._forget_before(now - self._remember_seconds)
        return False

    def _forget_before(self, horizon: float) -> None:
        heard_before = itertools.takewhile(lambda item: item[1][1] < horizon, self._newest.items())
        for conversation_id in [conversation_id for conversation_id, _ in heard_before]:
            del self._newest[conversation_id]
