"""The routing path: handoff → queue → router → claim → ``assigned``; transfer, resolve, requeue.

Every change goes through ``ConversationService`` so it is stored before anyone hears of it.
Any process may run ``assign_waiting`` at any time: the claim makes it safe to race.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from parley import clock
from parley.conversation.protocol import AgentRef, Assigned, QueueUpdate
from parley.conversation.service import ConversationService
from parley.conversation.store import Conversation, conversation_by_id
from parley.db import Database
from parley.errors import BadRequest, Conflict, Forbidden, NotFound
from parley.identity import store as identity_store
from parley.identity.store import Agent
from parley.routing import store
from parley.routing.claim import claim, release_assigned_to
from parley.routing.hours import BusinessHours
from parley.routing.presence import Presence
from parley.routing.router import expected_wait_seconds, pick_agent
from parley.texts import say


def may_read(conversation: Conversation, agent: Agent) -> bool:
    """Admins read everything; agents the queue, the unassigned and their own conversations."""
    return (
        agent.role == "admin"
        or conversation.assignee_id in (None, agent.id)
        or conversation.status in ("queued", "bot")
    )


class RoutingService:
    def __init__(
        self,
        db: Database,
        conversations: ConversationService,
        presence: Presence,
        hours: Callable[[], BusinessHours],
        *,
        reassign_after_seconds: float,
    ) -> None:
        self.db = db
        self.conversations = conversations
        self.presence = presence
        self._hours = hours
        self.reassign_after_seconds = reassign_after_seconds
        self._announced_positions: dict[str, int] = {}
        self._offline_since: dict[str, float] = {}
        # One router pass at a time in this process: concurrent passes would each read the same
        # free capacity and overfill an agent. Across processes the claim keeps it to one owner.
        self._one_pass = asyncio.Lock()

    @property
    def hours(self) -> BusinessHours:
        """The effective business hours (an admin may change them while Parley runs)."""
        return self._hours()

    async def online_agent_ids(self) -> list[str]:
        return [
            agent_id for agent_id, s in (await self.presence.everyone()).items() if s == "online"
        ]

    async def expected_wait(self, position: int) -> int | None:
        online = len(await self.online_agent_ids())
        if online == 0:
            return None
        return expected_wait_seconds(position, await store.average_handle_seconds(self.db), online)

    async def conversation(self, conversation_id: str) -> Conversation:
        found = await conversation_by_id(self.db, conversation_id)
        if found is None:
            raise NotFound("no such conversation", code="unknown_conversation")
        return found

    # --- visitor side ---------------------------------------------------------------------

    async def handoff(self, conversation: Conversation, reason: str | None) -> Conversation:
        """Leave self-service: join the queue, then let the router try at once."""
        if conversation.status in ("queued", "assigned"):
            return conversation
        # A conversation keeps its team: writing back the one read above could undo a team
        # deletion that moved it meanwhile (and name a team that no longer exists).
        team = (
            {}
            if conversation.team_id
            else {"team_id": await store.team_id_by_name(self.db, "Support")}
        )
        queued = await self.conversations.change(
            conversation.id,
            only_if_status=("bot", "resolved"),
            status="queued",
            queued_at=clock.now(),
            self_served=False,
            **team,
        )
        if queued is None:  # someone else moved it meanwhile; theirs stands
            return await self.conversation(conversation.id)
        note = "The visitor asked for a person" + (f": {reason}" if reason else ".")
        await self.system_message(queued, note, internal=True)
        if not await self.online_agent_ids():
            await self.system_message(
                queued,
                say(
                    "offline",
                    queued.locale,
                    hours=self.hours.text,
                    timezone=self.hours.timezone.key,
                ),
            )
        await self.assign_waiting()
        return await self.conversation(conversation.id)

    # --- agent side -----------------------------------------------------------------------

    async def accept(self, conversation_id: str, agent: Agent) -> Conversation:
        conversation = await self.conversation(conversation_id)
        if conversation.status == "assigned" and conversation.assignee_id == agent.id:
            return conversation  # accepting your own conversation again is a no-op
        if not await claim(self.db, conversation_id, agent.id, from_statuses=("queued", "bot")):
            raise Conflict("this conversation was already taken", code="already_assigned")
        return await self._announce_assignment(conversation_id, agent)

    async def transfer(
        self,
        conversation_id: str,
        by: Agent,
        *,
        agent_id: str | None,
        team: str | None,
        reason: str | None,
    ) -> Conversation:
        conversation = await self.conversation(conversation_id)
        self.check_may_act(conversation, by)
        if (agent_id is None) == (team is None):
            raise BadRequest("transfer to exactly one of agent_id or team")
        because = f" ({reason})" if reason else ""  # the agent's own words, not translated
        if agent_id is not None:
            target = await identity_store.agent_by_id(self.db, agent_id)
            if target is None or target.disabled:
                raise NotFound("no such agent", code="unknown_agent")
            changed = await self.conversations.change(
                conversation_id,
                status="assigned",
                assignee_id=target.id,
                assigned_at=clock.now(),
            )
            assert changed is not None
            await self.system_message(
                changed,
                say(
                    "transferred", changed.locale, agent=by.name, target=target.name, reason=because
                ),
            )
            await self._publish_assigned(changed, target)
            return changed
        assert team is not None
        team_id = await store.team_id_by_name(self.db, team)
        if team_id is None:
            raise NotFound(f"no team named {team!r}", code="unknown_team")
        changed = await self.conversations.change(
            conversation_id,
            status="queued",
            assignee_id=None,
            team_id=team_id,
            queued_at=clock.now(),
        )
        assert changed is not None
        await self.system_message(
            changed, say("transferred", changed.locale, agent=by.name, target=team, reason=because)
        )
        await self.assign_waiting()
        return changed

    async def resolve(self, conversation_id: str, by: Agent | None) -> Conversation:
        """Close; a conversation no agent ever had counts as self-served (deflection)."""
        conversation = await self.conversation(conversation_id)
        if by is not None:
            self.check_may_act(conversation, by)
        if conversation.status == "resolved":
            return conversation
        changed = await self.conversations.change(
            conversation_id,
            only_if_status=("bot", "queued", "assigned"),
            status="resolved",
            resolved_at=clock.now(),
            self_served=conversation.assigned_at is None,
        )
        await self.assign_waiting()  # a seat just freed up
        return changed or await self.conversation(conversation_id)

    async def reopen(self, conversation_id: str, by: Agent) -> Conversation:
        """An agent takes a resolved conversation up again: it becomes theirs, unrated."""
        conversation = await self.conversation(conversation_id)
        self.check_may_act(conversation, by)
        reopened = await self.conversations.change(
            conversation_id,
            only_if_status=("resolved",),
            status="assigned",
            assignee_id=by.id,
            assigned_at=conversation.assigned_at or clock.now(),
            resolved_at=None,
            self_served=None,
            rating=None,
            rating_comment=None,
            bot_misses=0,
        )
        if reopened is None:
            raise Conflict("only a resolved conversation can be reopened", code="not_resolved")
        await self.system_message(reopened, f"Reopened by {by.name}.", internal=True)
        await self._publish_assigned(reopened, by)
        await self.system_message(reopened, say("joined", reopened.locale, agent=by.name))
        return reopened

    def check_may_act(self, conversation: Conversation, agent: Agent) -> None:
        """Only the assignee (or an admin) acts on an assigned conversation."""
        if agent.role == "admin" or conversation.assignee_id in (None, agent.id):
            return
        raise Forbidden("this conversation belongs to another agent", code="not_your_conversation")

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
            if agent_id is None or not await claim(
                self.db, conversation_id, agent_id, from_statuses=("queued",)
            ):
                still_waiting.append(conversation_id)
                continue
            agent = await identity_store.agent_by_id(self.db, agent_id)
            assert agent is not None
            await self._announce_assignment(conversation_id, agent)
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
            for conversation_id in await release_assigned_to(self.db, agent_id):
                conversation = await self.conversation(conversation_id)
                await self.conversations.announce(conversation)
                await self.system_message(conversation, say("disconnected", conversation.locale))
            self._offline_since.pop(agent_id, None)

    async def system_message(
        self, conversation: Conversation, text: str, *, internal: bool = False
    ) -> None:
        await self.conversations.post(
            conversation.id,
            author_kind="system",
            author_id=None,
            author_name=None,
            text=text,
            internal=internal,
        )

    async def _announce_assignment(self, conversation_id: str, agent: Agent) -> Conversation:
        conversation = await self.conversation(conversation_id)
        self._announced_positions.pop(conversation_id, None)
        await self.conversations.announce(conversation)
        await self._publish_assigned(conversation, agent)
        await self.system_message(
            conversation, say("joined", conversation.locale, agent=agent.name)
        )
        return conversation

    async def _publish_assigned(self, conversation: Conversation, agent: Agent) -> None:
        frame = Assigned(conversation_id=conversation.id, agent=AgentRef(agent.id, agent.name))
        await self.conversations.publish_frame(conversation, frame, to_visitor=True, to_agents=True)

    async def _announce_positions(self, waiting: list[str]) -> None:
        for position, conversation_id in enumerate(waiting, start=1):
            if self._announced_positions.get(conversation_id) == position:
                continue
            self._announced_positions[conversation_id] = position
            conversation = await self.conversation(conversation_id)
            frame = QueueUpdate(
                conversation_id=conversation_id,
                position=position,
                expected_wait_s=await self.expected_wait(position),
            )
            await self.conversations.publish_frame(
                conversation, frame, to_visitor=True, to_agents=False
            )
        for gone in set(self._announced_positions) - set(waiting):
            del self._announced_positions[gone]
