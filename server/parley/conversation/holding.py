"""Who holds a conversation: the claim (``assign``), taking it by hand (``accept``), handing it
over (``transfer``), and back to the queue (``requeue``, ``release``), each one
``history.apply`` then the news. ``Lifecycle`` builds on this with the rest of the life."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from parley import clock
from parley.conversation import access
from parley.conversation.neighbours import Answerer, Hours, Router, Voice
from parley.conversation.protocol import AgentRef, Assigned
from parley.conversation.service import ConversationService
from parley.conversation.status import OPEN_STATUSES, WAITING_STATUSES
from parley.conversation.store import Conversation, conversation_by_id
from parley.conversation.store.history import Change, Moment, apply
from parley.db import Database
from parley.errors import BadRequest, Conflict, NotFound
from parley.identity import store as identity_store
from parley.identity.store import Agent
from parley.texts import say


class Holding:
    def __init__(
        self,
        db: Database,
        conversations: ConversationService,
        answerer: Answerer,
        hours: Callable[[], Hours],
        voice: Callable[[], Voice],
        *,
        mail_after: timedelta | None = None,
    ) -> None:
        self.db = db
        # Unseen agent replies, and a rating not given in the widget, are mailed this late.
        self.mail_after = mail_after
        self.conversations = conversations
        self._answer = answerer
        self._hours = hours
        self._voice = voice
        self._router: Router | None = None

    def attach(self, router: Router) -> None:
        """Routing is made from this lifecycle, then attached to it: each needs the other."""
        self._router = router

    @property
    def router(self) -> Router:
        if self._router is None:
            raise RuntimeError("no router attached to the lifecycle")
        return self._router

    async def conversation(self, conversation_id: str) -> Conversation:
        found = await conversation_by_id(self.db, conversation_id)
        if found is None:
            raise NotFound("no such conversation", code="unknown_conversation")
        return found

    def business_seconds(self, start: datetime, end: datetime) -> float:
        return self._hours().open_seconds_between(start, end)

    # --- who holds it ----------------------------------------------------------------------

    async def accept(self, conversation_id: str, agent: Agent) -> Conversation:
        """An agent takes a waiting conversation by hand (capacity does not apply)."""
        conversation = await self.conversation(conversation_id)
        if conversation.status == "assigned" and conversation.assignee_id == agent.id:
            return conversation  # accepting your own conversation again is a no-op
        assigned = await self.assign(
            conversation_id, agent, how="manual", from_statuses=WAITING_STATUSES
        )
        if assigned is None:
            raise Conflict("this conversation was already taken", code="already_assigned")
        return assigned

    async def assign(
        self,
        conversation_id: str,
        agent: Agent,
        *,
        how: Literal["auto", "manual"],
        from_statuses: tuple[str, ...] = ("queued",),
    ) -> Conversation | None:
        """The claim: ``agent`` gets the conversation if it is still in ``from_statuses`` (the
        database decides between racing processes); None when someone else won."""
        now = _now()
        changed = await apply(
            self.db,
            conversation_id,
            Change(
                moments=(Moment("assigned", agent_id=agent.id, data={"how": how}),),
                only_if_status=from_statuses,
                conversation={"status": "assigned", "assignee_id": agent.id, "assigned_at": now},
                assigns=agent.id,
            ),
        )
        if changed is None:
            return None
        await self._joined(changed.conversation, agent)
        return changed.conversation

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
        access.check_may_act(conversation, by.id, by.role)
        if (agent_id is None) == (team is None):
            raise BadRequest("transfer to exactly one of agent_id or team")
        handed_over = {"from_agent": conversation.assignee_id, "reason": reason}
        now = _now()
        if agent_id is not None:
            target = await identity_store.agent_by_id(self.db, agent_id)
            if target is None or target.disabled:
                raise NotFound("no such agent", code="unknown_agent")
            change = Change(
                moments=(
                    Moment(
                        "transferred", "agent", by.id, target.id, conversation.team_id, handed_over
                    ),
                    Moment("assigned", agent_id=target.id, data={"how": "transfer"}),
                ),
                only_if_status=OPEN_STATUSES,
                conversation={"status": "assigned", "assignee_id": target.id, "assigned_at": now},
                assigns=target.id,
            )
            target_name = target.name
        else:
            assert team is not None
            team_id = await self.router.team_for(name=team, locale=None)
            if team_id is None:
                raise NotFound(f"no team named {team!r}", code="unknown_team")
            change = Change(
                moments=(
                    Moment("transferred", "agent", by.id, team_id=team_id, data=handed_over),
                    Moment("queued", team_id=team_id, data={"reason": "transfer"}),
                ),
                only_if_status=OPEN_STATUSES,
                conversation={
                    "status": "queued",
                    "assignee_id": None,
                    "team_id": team_id,
                    "queued_at": now,
                },
            )
            target_name = team
        changed = await apply(self.db, conversation_id, change)
        if changed is None:
            raise Conflict("the conversation is resolved", code="resolved")
        transferred = changed.conversation
        await self.conversations.announce(transferred)
        if reason:  # the agent's words are for the team: the visitor's notice never shows them
            note = f"{by.name}'s reason for the transfer: {reason}"
            await self.system_message(transferred, note, internal=True)
        await self.system_message(
            transferred, say("transferred", transferred.locale, agent=by.name, target=target_name)
        )
        if agent_id is not None:
            await self._publish_assigned(transferred, transferred.assignee_id or "", target_name)
        else:
            await self.router.assign_waiting()
        return transferred

    async def requeue(self, conversation_id: str, *, reason: str) -> Conversation | None:
        """Back to the queue from whoever holds it (a missed response target), for the router."""
        conversation = await self.conversation(conversation_id)
        if conversation.assignee_id is None:
            return None
        changed = await apply(
            self.db,
            conversation_id,
            Change(
                moments=(
                    Moment(
                        "queued", data={"reason": reason, "from_agent": conversation.assignee_id}
                    ),
                ),
                only_if_status=("assigned",),
                only_if_assignee=conversation.assignee_id,
                conversation={"status": "queued", "assignee_id": None, "queued_at": _now()},
            ),
        )
        if changed is None:
            return None
        await self.conversations.announce(changed.conversation)
        return changed.conversation

    async def release(self, agent_id: str, conversation_ids: list[str]) -> None:
        """An agent gone offline past the grace period: their conversations wait again."""
        for conversation_id in conversation_ids:
            changed = await apply(
                self.db,
                conversation_id,
                Change(
                    moments=(
                        Moment("queued", data={"reason": "agent_offline", "from_agent": agent_id}),
                    ),
                    only_if_status=("assigned",),
                    only_if_assignee=agent_id,
                    conversation={"status": "queued", "assignee_id": None, "queued_at": _now()},
                ),
            )
            if changed is None:
                continue
            released = changed.conversation
            await self.conversations.announce(released)
            await self.system_message(released, say("disconnected", released.locale))

    # --- news -----------------------------------------------------------------------------

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

    async def _joined(self, conversation: Conversation, agent: Agent) -> None:
        await self.conversations.announce(conversation)
        await self._publish_assigned(conversation, agent.id, agent.name)
        await self.system_message(
            conversation, say("joined", conversation.locale, agent=agent.name)
        )

    async def _publish_assigned(self, conversation: Conversation, agent_id: str, name: str) -> None:
        frame = Assigned(conversation_id=conversation.id, agent=AgentRef(agent_id, name))
        await self.conversations.publish_frame(conversation, frame, to_visitor=True, to_agents=True)


def _now() -> datetime:
    return clock.now()
