"""``/ws/visitor``: one visitor's socket. Their first question goes to the knowledge base first.

The session owns no state that matters: the visitor's conversation lives in the store, so a
second tab, a reload or another server process picks up exactly where this one left off.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.websockets import WebSocket

from parley import clock
from parley.bot.answer import answer
from parley.conversation import store
from parley.conversation.events import visitor_channel
from parley.conversation.protocol import (
    Ack,
    Contact,
    Handoff,
    Rate,
    ReadOut,
    Suggestions,
    TypingOut,
    VisitorFrame,
    VisitorHello,
    VisitorMessage,
    VisitorRead,
    VisitorResolve,
    VisitorTyping,
    Welcome,
    decode_visitor_frame,
    encode,
)
from parley.conversation.store import Conversation
from parley.errors import BadRequest, Unauthorized
from parley.identity import store as identity_store
from parley.identity.store import Visitor
from parley.routing import store as routing_store
from parley.services import Services, services
from parley.sockets.connection import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHORIZED,
    FloodGate,
    FrameSession,
    origin_allowed,
    serve_frames,
)
from parley.texts import say

BOT_NAME = "Parley bot"
TYPING_REPEAT_SECONDS = 2.0


async def visitor_socket(websocket: WebSocket) -> None:
    found = services(websocket)
    await websocket.accept()
    if not origin_allowed(websocket, found.site.current.allowed_origins):
        await websocket.close(CLOSE_FORBIDDEN, "this site may not embed the widget")
        return
    try:
        visitor_id = found.signer.visitor_id(websocket.query_params.get("token", ""))
    except Unauthorized:
        await websocket.close(CLOSE_UNAUTHORIZED, "invalid visitor token")
        return
    visitor = await identity_store.visitor_by_id(found.db, visitor_id)
    if visitor is None:
        await websocket.close(CLOSE_UNAUTHORIZED, "unknown visitor")
        return
    await VisitorSession(found, websocket, visitor).run()


class VisitorSession(FrameSession[VisitorFrame, VisitorHello]):
    hello_type = VisitorHello
    include_internal_notes = False

    def __init__(self, found: Services, websocket: WebSocket, visitor: Visitor) -> None:
        super().__init__(found, websocket)
        self.visitor = visitor
        self.team: str | None = None
        self.conversation_id: str | None = None
        self._typing_sent: tuple[bool, float] = (False, 0.0)

    async def run(self) -> None:
        self.outbox.listen(self.services.bus, visitor_channel(self.visitor.id))
        await serve_frames(self.websocket, self.outbox, FloodGate(10, 30), self.handle)

    def decode(self, text: str) -> VisitorFrame:
        return decode_visitor_frame(text)

    async def dispatch(self, frame: VisitorFrame) -> None:
        if isinstance(frame, VisitorHello):
            await self.hello(frame)
        elif isinstance(frame, VisitorMessage):
            await self.message(frame)
        elif isinstance(frame, VisitorTyping):
            await self.typing(frame.state)
        elif isinstance(frame, VisitorRead):
            await self.read(frame.seq)
        elif isinstance(frame, Handoff):
            conversation = await self.open_conversation()
            await self.services.routing.handoff(conversation, frame.reason)
        elif isinstance(frame, Rate):
            await self.rate(frame)
        elif isinstance(frame, Contact):
            await self.contact(frame.email)
        elif isinstance(frame, VisitorResolve):
            conversation = await self.require_current()
            await self.services.routing.resolve(conversation.id, by=None)

    # --- frames ---------------------------------------------------------------------------

    async def hello(self, frame: VisitorHello) -> None:
        self.greeted = True
        self.team = frame.team
        conversation = await self.current()
        routing = self.services.routing
        online = len(await routing.online_agent_ids())
        self.outbox.send(
            encode(
                Welcome(
                    visitor_id=self.visitor.id,
                    conversation=await self._visitor_summary(conversation),
                    agents_online=online,
                    expected_wait_s=await routing.expected_wait(1),
                    business_hours=routing.hours.as_json(),
                )
            )
        )
        if conversation is None:
            return
        if frame.last_seq is None:
            self.outbox.follow(conversation.id, conversation.last_seq)
        else:
            self.outbox.resume(conversation.id, frame.last_seq)

    async def message(self, frame: VisitorMessage) -> None:
        conversation_id = self.conversation_id or (await self.existing_or_new()).id
        posted = await self.services.conversations.post(
            conversation_id,
            author_kind="visitor",
            author_id=self.visitor.id,
            author_name=self.visitor.name,
            text=frame.text,
            client_id=frame.client_id,
            attachment_ids=frame.attachments,
        )
        self.outbox.send(
            encode(
                Ack(
                    client_id=frame.client_id,
                    seq=posted.message.seq,
                    conversation_id=conversation_id,
                )
            )
        )
        if not posted.created:
            return
        conversation = posted.conversation  # as this message left it: no second read
        if conversation.status == "resolved":
            conversation = await self.reopen(conversation)
        if conversation.status == "bot" and frame.text.strip():
            await self.bot_turn(conversation, frame.text)

    async def bot_turn(self, conversation: Conversation, question: str) -> None:
        """Knowledge base first: suggestions and a bot message; a second miss queues."""
        found = self.services
        locale = conversation.locale or self.visitor.locale or "en"
        reply = await asyncio.to_thread(answer, found.kb, question, locale.split("-")[0])
        await found.conversations.publish_frame(
            conversation,
            Suggestions(
                conversation_id=conversation.id, results=reply.results, confidence=reply.confidence
            ),
            to_visitor=True,
            to_agents=True,
        )
        await found.conversations.post(
            conversation.id,
            author_kind="bot",
            author_id=None,
            author_name=BOT_NAME,
            text=reply.text,
            suggestions=reply.results,
        )
        if reply.answered:
            return
        misses = conversation.bot_misses + 1
        await store.update_conversation(found.db, conversation.id, bot_misses=misses)
        if misses >= 2:
            await found.routing.handoff(conversation, "the help center had no answer twice")

    async def typing(self, state: bool) -> None:
        """Forwarded when it changes, and at most every two seconds while it stays on."""
        conversation = await self.current()
        last_state, last_sent = self._typing_sent
        now = time.monotonic()
        if conversation is None or (
            state == last_state and now - last_sent < TYPING_REPEAT_SECONDS
        ):
            return
        self._typing_sent = (state, now)
        frame = TypingOut(conversation_id=conversation.id, by="visitor", state=state)
        await self.services.conversations.publish_frame(
            conversation, frame, to_visitor=False, to_agents=True
        )

    async def read(self, seq: int) -> None:
        conversation = await self.require_current()
        seq = min(seq, conversation.last_seq)
        if seq <= conversation.visitor_read_seq:
            return
        await store.update_conversation(self.services.db, conversation.id, visitor_read_seq=seq)
        frame = ReadOut(conversation_id=conversation.id, by="visitor", seq=seq)
        await self.services.conversations.publish_frame(
            conversation, frame, to_visitor=False, to_agents=True
        )

    async def rate(self, frame: Rate) -> None:
        conversation = await self.require_current()
        if conversation.status != "resolved":
            raise BadRequest("a conversation can be rated once it is resolved", code="not_resolved")
        changed = await store.update_conversation(
            self.services.db,
            conversation.id,
            rating=frame.score,
            rating_comment=(frame.comment or "").strip() or None,
        )
        assert changed is not None
        await self.services.conversations.announce(changed)

    async def contact(self, email: str) -> None:
        conversation = await self.open_conversation()
        await store.update_conversation(self.services.db, conversation.id, offline_email=email)
        await self.services.routing.system_message(
            conversation, say("contact_thanks", conversation.locale, email=email)
        )

    # --- the visitor's conversation -------------------------------------------------------

    async def current(self) -> Conversation | None:
        return await store.latest_conversation(self.services.db, self.visitor.id)

    async def require_current(self) -> Conversation:
        conversation = await self.current()
        if conversation is None:
            raise BadRequest("there is no conversation yet", code="no_conversation")
        return conversation

    async def open_conversation(self) -> Conversation:
        """The visitor's conversation, started if there is none and reopened if resolved."""
        conversation = await self.existing_or_new()
        if conversation.status == "resolved":
            return await self.reopen(conversation)
        return conversation

    async def existing_or_new(self) -> Conversation:
        """The visitor's latest conversation, or a new one; this socket follows it from now on.

        A visitor's conversation never changes once it exists (a resolved one is reopened), so
        the session keeps its id and a message needs no lookup first.
        """
        found = self.services
        conversation = await store.latest_conversation(found.db, self.visitor.id)
        if conversation is None:
            team_id = await routing_store.team_id_for(
                found.db, name=self.team, locale=self.visitor.locale
            )
            conversation = await store.create_conversation(
                found.db, visitor_id=self.visitor.id, locale=self.visitor.locale, team_id=team_id
            )
            await found.conversations.announce(conversation)
        self.outbox.follow(conversation.id, conversation.last_seq)
        self.conversation_id = conversation.id
        return conversation

    async def reopen(self, conversation: Conversation) -> Conversation:
        """Writing in a resolved conversation brings it back to its agent, or to the bot."""
        found = self.services
        reopened = await found.conversations.change(
            conversation.id,
            only_if_status=("resolved",),
            status="assigned" if conversation.assignee_id else "bot",
            resolved_at=None,
            self_served=None,
            rating=None,
            rating_comment=None,
            bot_misses=0,
        )
        return reopened or await found.routing.conversation(conversation.id)

    async def _visitor_summary(self, conversation: Conversation | None) -> dict[str, Any] | None:
        if conversation is None:
            return None
        assignee = None
        if conversation.assignee_id:
            agent = await identity_store.agent_by_id(self.services.db, conversation.assignee_id)
            assignee = {"id": agent.id, "name": agent.name} if agent else None
        return {
            "id": conversation.id,
            "status": conversation.status,
            "assignee": assignee,
            "last_seq": conversation.last_seq,
            "agent_read_seq": conversation.agent_read_seq,
            "rating": conversation.rating,
            "created_at": clock.iso(conversation.created_at),
        }
