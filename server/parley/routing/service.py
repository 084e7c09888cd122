"""The routing path: who gets a waiting conversation, and what the queue is told meanwhile.

Routing decides; ``conversation.lifecycle`` makes it so (the claim, the episode, the events).
Any process may run ``assign_waiting`` at any time: the claim makes it safe to race.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from parley import clock
from parley.conversation.lifecycle import Lifecycle
from parley.conversation.protocol import QueueUpdate
from parley.db import Database
from parley.identity import store as identity_store
from parley.routing import store
from parley.routing.hours import BusinessHours
from parley.routing.presence import Presence
from parley.routing.router import expected_wait_seconds, pick_agent


@dataclass(frozen=True)
class Availability:
    agents_online: int
    expected_wait_s: int | None  # for the next in line; None while nobody is online
    names: list[str]  # a few online agents' names, for the widget's home card


class RoutingService:
    def __init__(
        self,
        db: Database,
        lifecycle: Lifecycle,
        presence: Presence,
        hours: Callable[[], BusinessHours],
        *,
        reassign_after_seconds: float,
    ) -> None:
        self.db = db
        self.lifecycle = lifecycle
        self.presence = presence
        self._hours = hours
        self.reassign_after_seconds = reassign_after_seconds
        self._announced_positions: dict[str, int] = {}
        self._offline_since: dict[str, float] = {}
        # One router pass at a time in this process: concurrent passes would each read the same
        # free capacity and overfill an agent. Across processes the claim keeps it to one owner.
        self._one_pass = asyncio.Lock()
        lifecycle.attach(self)

    @property
    def hours(self) -> BusinessHours:
        """The effective business hours (an admin may change them while Parley runs)."""
        return self._hours()

    async def online_agent_ids(self) -> list[str]:
        return [
            agent_id for agent_id, s in (await self.presence.everyone()).items() if s == "online"
        ]

    async def availability(self, faces: int = 3) -> Availability:
        """What a visitor is told of the team when they connect, from one read of presence."""
        online = await self.online_agent_ids()
        return Availability(
            agents_online=len(online),
            expected_wait_s=await self._wait(1, len(online)),
            names=await identity_store.agent_names(self.db, online, faces),
        )

    async def record_presence(self) -> None:
        """Write who is online now into the presence history (time online in Reports)."""
        await store.record_presence(self.db, set(await self.online_agent_ids()), clock.now())

    async def expected_wait(self, position: int) -> int | None:
        return await self._wait(position, len(await self.online_agent_ids()))

    async def _wait(self, position: int, online: int) -> int | None:
        if online == 0:
            return None
        return expected_wait_seconds(position, await store.average_handle_seconds(self.db), online)

    async def team_for(self, *, name: str | None, locale: str | None) -> str | None:
        """A new conversation's team: the one the widget named, else one for its locale."""
        return await store.team_id_for(self.db, name=name, locale=locale)

    async def default_team(self) -> str | None:
        return await store.team_id_by_name(self.db, identity_store.DEFAULT_TEAM)

    # --- the router -----------------------------------------------------------------------

    async def assign_waiting(self) -> None:
        """Give queued conversations to free agents, oldest first; tell the rest their place."""
        async with self._one_pass:
            await self._assign_waiting()

    async def _assign_waiting(self) -> None:
        waiting = await store.queued_ids(self.db)
        if not waiting:
            return
        online = await self.online_agent_ids()
        candidates = await store.candidates(self.db, online)
        still_waiting: list[str] = []
        for conversation_id, team_id in waiting:
            agent_id = pick_agent(candidates, team_id)
            agent = await identity_store.agent_by_id(self.db, agent_id) if agent_id else None
            if agent is None or not await self.lifecycle.assign(conversation_id, agent, how="auto"):
                still_waiting.append(conversation_id)
                continue
            self._announced_positions.pop(conversation_id, None)
            candidates = await store.candidates(self.db, online)
        await self._announce_positions(still_waiting)

    async def requeue_abandoned(self) -> None:
        """Conversations of an agent offline longer than the grace period go back to the queue."""
        present = set(await self.presence.everyone())
        now = time.monotonic()
        for agent_id in await store.assignees(self.db):
            if agent_id in present:
                self._offline_since.pop(agent_id, None)
                continue
            since = self._offline_since.setdefault(agent_id, now)
            if now - since < self.reassign_after_seconds:
                continue
            await self.lifecycle.release(agent_id, await store.assigned_to(self.db, agent_id))
            self._offline_since.pop(agent_id, None)

    async def _announce_positions(self, waiting: list[str]) -> None:
        for position, conversation_id in enumerate(waiting, start=1):
            if self._announced_positions.get(conversation_id) == position:
                continue
            self._announced_positions[conversation_id] = position
            conversation = await self.lifecycle.conversation(conversation_id)
            frame = QueueUpdate(
                conversation_id=conversation_id,
                position=position,
                expected_wait_s=await self.expected_wait(position),
            )
            await self.lifecycle.conversations.publish_frame(
                conversation, frame, to_visitor=True, to_agents=False
            )
        for gone in set(self._announced_positions) - set(waiting):
            del self._announced_positions[gone]
