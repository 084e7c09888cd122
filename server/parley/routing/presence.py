"""Which agents are online, across every process.

Each process knows its own sockets (``LocalPresence``). An agent whose last socket closes
stays online for a grace period, so a page reload does not drop them from routing. With
Redis, each process also writes its view to a key that expires unless refreshed; the online
set is the union of all live processes' views, so a crashed process ages out on its own.
While Redis is unreachable, each process sees only its own agents (``parley.redisfallback``).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis

from parley.redisfallback import LocalFallback, nothing_here

_KEY_PREFIX = "parley:presence:"
_KEY_TTL_SECONDS = 15


@dataclass
class _AgentSockets:
    status: str = "online"
    sockets: set[str] = field(default_factory=set)
    left_at: float | None = None


class LocalPresence:
    def __init__(self, grace_seconds: float) -> None:
        self.grace_seconds = grace_seconds
        self._agents: dict[str, _AgentSockets] = {}

    def connect(self, agent_id: str, socket_id: str) -> None:
        entry = self._agents.setdefault(agent_id, _AgentSockets())
        entry.sockets.add(socket_id)
        entry.left_at = None

    def disconnect(self, agent_id: str, socket_id: str) -> None:
        entry = self._agents.get(agent_id)
        if entry is None:
            return
        entry.sockets.discard(socket_id)
        if not entry.sockets:
            entry.left_at = time.monotonic()

    def set_status(self, agent_id: str, status: str) -> None:
        self._agents.setdefault(agent_id, _AgentSockets()).status = status

    def snapshot(self) -> dict[str, str]:
        """``agent_id → online|away`` for agents connected here or within their grace period."""
        now = time.monotonic()
        for agent_id, entry in list(self._agents.items()):
            if entry.left_at is not None and now - entry.left_at > self.grace_seconds:
                del self._agents[agent_id]
        return {agent_id: entry.status for agent_id, entry in self._agents.items()}


class Presence(Protocol):
    local: LocalPresence

    async def publish(self) -> None:
        """Share this process's view (a no-op with one process)."""

    async def everyone(self) -> dict[str, str]:
        """``agent_id → online|away`` across all processes."""
        ...


class MemoryPresence:
    def __init__(self, grace_seconds: float) -> None:
        self.local = LocalPresence(grace_seconds)

    async def publish(self) -> None:
        return None

    async def everyone(self) -> dict[str, str]:
        return self.local.snapshot()


class RedisPresence:
    def __init__(self, redis: Redis, grace_seconds: float) -> None:
        self.local = LocalPresence(grace_seconds)
        self._redis = redis
        self._key = f"{_KEY_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self._fallback = LocalFallback("agents online")

    async def publish(self) -> None:
        await self._fallback.run(self._publish_shared, nothing_here)

    async def everyone(self) -> dict[str, str]:
        return await self._fallback.run(self._everyone_shared, self._here)

    async def _here(self) -> dict[str, str]:
        return self.local.snapshot()

    async def _publish_shared(self) -> None:
        await self._redis.set(self._key, json.dumps(self.local.snapshot()), ex=_KEY_TTL_SECONDS)

    async def _everyone_shared(self) -> dict[str, str]:
        keys = [key async for key in self._redis.scan_iter(match=_KEY_PREFIX + "*", count=100)]
        merged: dict[str, str] = {}
        for raw in await self._redis.mget(keys) if keys else []:
            for agent_id, status in json.loads(raw or "{}").items():
                # Online anywhere beats away elsewhere: one open console is enough.
                if merged.get(agent_id) != "online":
                    merged[agent_id] = status
        return merged
