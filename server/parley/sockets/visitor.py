"""``/ws/visitor``: one visitor's socket. Their first question goes to the knowledge base first.

The session owns no state that matters: the visitor's conversation lives in the store, so a
second tab, a reload or another server process picks up exactly where this one left off.
"""

from __future__ import annotations

import time

from starlette.websockets import WebSocket

from parley.conversation import store
from parley.conversation.events import visitor_channel
from parley.conversation.protocol import (
    Ack,
    AgentFace,
    Contact,
    Handoff,
    Rate,
    ReadOut,
    Transcript,
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
from parley.conversation.store import Appended, Conversation
from parley.errors import BadRequest, Unauthorized
from parley.identity import store as identity_store
from parley.identity.store import Visitor
from parley.services import Services, services
from parley.sockets.connection import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHORIZED,
    FloodGate,
    FrameSession,
    origin_allowed,
    serve_frames,
)

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
        life = self.services.lifecycle
        if isinstance(frame, VisitorHello):
            await self.hello(frame)
        elif isinstance(frame, VisitorMessage):
            await self.message(frame)
        elif isinstance(frame, VisitorTyping):
            await self.typing(frame.state)
        elif isinstance(frame, VisitorRead):
            await self.read(frame.seq)
        elif isinstance(frame, Handoff):
            await life.handoff(await self.open_conversation(), "asked", frame.reason)
        elif isinstance(frame, Rate):
            await life.rate(await self.require_current(), frame.score, frame.comment)
        elif isinstance(frame, Contact):
            await life.contact(await self.open_conversation(), frame.email)
        elif isinstance(frame, VisitorResolve):
            await life.resolve((await self.require_current()).id, by="visitor")
        elif isinstance(frame, Transcript):
            await life.transcript(self.visitor, await self.require_current(), frame.email)

    # --- frames ---------------------------------------------------------------------------

    async def hello(self, frame: VisitorHello) -> None:
        self.greeted = True
        self.team = frame.team
        conversation = await self.current()
        found = self.services
        shown = None
        if conversation is not None:
            shown = (await found.conversations.visitor_conversations([conversation]))[0]
        team = await found.routing.availability()
        self.outbox.send(
            encode(
                Welcome(
                    visitor_id=self.visitor.id,
                    conversation=shown,
                    agents_online=team.agents_online,
                    expected_wait_s=team.expected_wait_s,
                    business_hours=found.routing.hours.as_json(),
                    agents=[AgentFace(name=name) for name in team.names],
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
        conversation_id = self.conversation_id or (await self.follow_conversation()).id

        def acknowledge(posted: Appended) -> None:
            ack = Ack(
                client_id=frame.client_id, seq=posted.message.seq, conversation_id=conversation_id
            )
            self.outbox.send(encode(ack))

        await self.services.lifecycle.visitor_says(
            self.visitor,
            conversation_id,
            text=frame.text,
            client_id=frame.client_id,
            attachment_ids=frame.attachments,
            stored=acknowledge,
        )

    async def typing(self, state: bool) -> None:
        """Forwarded when it changes, and at most every two seconds while it stays on. A repeat
        is dropped before anything is read: a client sending nothing but ``typing`` costs the
        store nothing."""
        last_state, last_sent = self._typing_sent
        now = time.monotonic()
        if state == last_state and now - last_sent < TYPING_REPEAT_SECONDS:
            return
        self._typing_sent = (state, now)
        conversation = await self.current()
        if conversation is None:
            return
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
        conversation = await self.follow_conversation()
        if conversation.status == "resolved":
            return await self.services.lifecycle.reopen_by_visitor(conversation)
        return conversation

    async def follow_conversation(self) -> Conversation:
        """The visitor's latest conversation, or a new one; this socket follows it from now on.

        A visitor's conversation never changes once it exists (a resolved one is reopened), so
        the session keeps its id and a message needs no lookup first.
        """
        opened = await self.services.lifecycle.open_for(self.visitor, team=self.team)
        conversation = opened.conversation
        self.outbox.follow(conversation.id, conversation.last_seq)
        self.conversation_id = conversation.id
        return conversation
