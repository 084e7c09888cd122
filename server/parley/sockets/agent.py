"""``/ws/agent``: an agent's console. Sees the queue and their conversations live, acts on them.

An agent automatically follows every conversation they can act on: the ones assigned to them
(with full history on assignment) and the queue (live from now on). ``watch`` follows any
other conversation they may read.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time

import msgspec
from starlette.websockets import WebSocket

from parley.conversation import access, store
from parley.conversation.events import AGENTS_CHANNEL, conversation_channel, pack
from parley.conversation.protocol import (
    Accept,
    Ack,
    AgentFrame,
    AgentHello,
    AgentMessage,
    AgentRead,
    AgentTyping,
    AgentWelcome,
    ConversationOut,
    Presence,
    ReadOut,
    Reopen,
    Resolve,
    Transfer,
    TypingOut,
    Watch,
    decode_agent_frame,
    encode,
)
from parley.conversation.service import visible_seq
from parley.conversation.shapes import withheld
from parley.conversation.store import Conversation
from parley.errors import Unauthorized
from parley.identity.agents import agent_for_token, revocation_channel
from parley.identity.store import Agent
from parley.identity.tokens import SESSION_COOKIE
from parley.quality import experiments
from parley.services import Services, services
from parley.sockets.connection import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHORIZED,
    FloodGate,
    FrameSession,
    serve_frames,
)

READER_TTL_SECONDS = 60.0


def _same_origin(websocket: WebSocket) -> bool:
    """A cookie rides along on any page's socket; only the console's own origin may use it."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    return origin is not None and host is not None and origin.split("://", 1)[-1] == host


async def agent_socket(websocket: WebSocket) -> None:
    found = services(websocket)
    await websocket.accept()
    token = websocket.query_params.get("token")
    if token is None:
        token = websocket.cookies.get(SESSION_COOKIE)
        if token is not None and not _same_origin(websocket):
            await websocket.close(CLOSE_FORBIDDEN, "the session cookie works only from the console")
            return
    try:
        agent = await agent_for_token(found.db, found.signer, token or "")
    except Unauthorized:
        await websocket.close(CLOSE_UNAUTHORIZED, "sign in first")
        return
    await AgentSession(found, websocket, agent).run()


class AgentSession(FrameSession[AgentFrame, AgentHello]):
    hello_type = AgentHello
    include_internal_notes = True

    def __init__(self, found: Services, websocket: WebSocket, agent: Agent) -> None:
        super().__init__(found, websocket)
        self.agent = agent
        self.socket_id = secrets.token_hex(6)
        self.mine: set[str] = set()
        self.watching: set[str] = set()  # opened with ``watch``: followed until the socket closes
        self._ending: asyncio.Task[None] | None = None
        self._reader: access.Reader | None = None
        self._shown: set[str] = set()  # conversations whose summaries this socket passed on
        self._shown_most = 0  # the most ``_shown`` held since it was last rebuilt
        self._reader_read_at = 0.0

    async def run(self) -> None:
        presence = self.services.presence
        presence.local.connect(self.agent.id, self.socket_id)
        await presence.publish()
        self.outbox.listen(self.services.bus, AGENTS_CHANNEL, self._on_summary)
        self.outbox.listen(self.services.bus, revocation_channel(self.agent.id), self._on_revoked)
        try:
            await serve_frames(self.websocket, self.outbox, FloodGate(30, 60), self.handle)
        finally:
            presence.local.disconnect(self.agent.id, self.socket_id)
            await presence.publish()

    def _on_revoked(self, payload: bytes) -> None:
        """An admin disabled or demoted this agent: the session is over; the console signs in."""
        self._ending = asyncio.create_task(self._end())

    async def _end(self) -> None:
        with contextlib.suppress(Exception):  # the client may have left meanwhile
            await self.websocket.close(CLOSE_UNAUTHORIZED, "your session was revoked")

    def _on_summary(self, payload: bytes) -> None:
        """Follow conversations as they become this agent's business, drop them when they stop
        being it (taken by someone else, resolved), then pass the news on: whole to an agent who
        may read the conversation, withheld to one who saw it before and may not any more."""
        news = self.services.summary_feed.read(payload)
        summary = news.summary
        if summary is None:
            self.outbox.push_bus(payload)  # the team's label list: everybody's news
            return
        if self._reader is None or news.stale:
            return  # before the welcome (which carries the state), or a change that lost a race
        conversation_id = summary["id"]
        status, assignee = summary["status"], summary["assignee"]
        mine = status == "assigned" and assignee == self.agent.id
        if mine and conversation_id not in self.mine:  # just became theirs: whole history
            self.mine.add(conversation_id)
            self._follow(conversation_id, 0, replay=True)
        elif status in ("queued", "bot") or (self.agent.role == "admin" and status != "resolved"):
            self._follow(conversation_id, int(summary["last_seq"]), replay=False)
        elif not mine and conversation_id not in self.watching:
            self.mine.discard(conversation_id)
            self.outbox.forget(conversation_channel(conversation_id), conversation_id)
        readable = access.may_read_held(
            self._reader,
            status=status,
            assignee_id=assignee,
            team_id=summary["team"],
            visitor_id=summary["visitor"]["id"],
        )
        if readable:
            # A resolved conversation has left every list the console keeps live, so it is
            # not remembered as shown: a socket open all day holds only the open ones.
            if status == "resolved":
                self._unshow(conversation_id)
            else:
                self._show(conversation_id)
            self.outbox.push_bus(payload)
        elif conversation_id in self._shown:
            self._unshow(conversation_id)
            whole = msgspec.json.decode(news.frame, type=ConversationOut).conversation
            self.outbox.push_bus(pack(encode(ConversationOut(conversation=withheld(whole)))))

    def _show(self, conversation_id: str) -> None:
        self._shown.add(conversation_id)
        self._shown_most = max(self._shown_most, len(self._shown))

    def _unshow(self, conversation_id: str) -> None:
        """A set keeps the table of the most it ever held: after a burst of queued conversations
        (every agent is shown the queue) was taken by others, each agent's socket kept a table
        for the whole burst. It is rebuilt once it holds under a quarter of that."""
        self._shown.discard(conversation_id)
        if len(self._shown) * 4 < self._shown_most:
            self._shown = set(self._shown)
            self._shown_most = len(self._shown)

    def _follow(self, conversation_id: str, seq: int, *, replay: bool) -> None:
        self.outbox.listen(self.services.bus, conversation_channel(conversation_id))
        if replay:
            self.outbox.resume(conversation_id, seq)
        else:
            self.outbox.follow(conversation_id, seq)

    def decode(self, text: str) -> AgentFrame:
        return decode_agent_frame(text)

    async def dispatch(self, frame: AgentFrame) -> None:
        life = self.services.lifecycle
        if isinstance(frame, AgentHello):
            await self.hello(frame)
        elif isinstance(frame, Presence):
            self.services.presence.local.set_status(self.agent.id, frame.status)
            await self.services.presence.publish()
            if frame.status == "online":
                await self.services.routing.assign_waiting()
        elif isinstance(frame, Accept):
            conversation = await life.accept(frame.conversation_id, self.agent)
            self._follow(
                conversation.id, self.outbox.delivered.get(conversation.id, 0), replay=True
            )
        elif isinstance(frame, AgentMessage):
            await self.message(frame)
        elif isinstance(frame, AgentTyping | AgentRead):
            await self.typing_or_read(frame)
        elif isinstance(frame, Transfer):
            await life.transfer(
                frame.conversation_id,
                self.agent,
                agent_id=frame.agent_id,
                team=frame.team,
                reason=frame.reason,
            )
        elif isinstance(frame, Resolve):
            await life.resolve(frame.conversation_id, by="agent", agent=self.agent)
        elif isinstance(frame, Reopen):
            await life.reopen(frame.conversation_id, self.agent)
        elif isinstance(frame, Watch):
            conversation = await life.conversation(frame.conversation_id)
            await self.check_may_read(conversation)
            self.watching.add(conversation.id)
            self._follow(conversation.id, frame.last_seq, replay=True)

    # --- frames ---------------------------------------------------------------------------

    async def hello(self, frame: AgentHello) -> None:
        self.greeted = True
        found = self.services
        self._reader = await access.reader(found.db, self.agent.id, self.agent.role)
        self._reader_read_at = time.monotonic()
        visible = await store.open_conversations(
            found.db, assignee_id=self.agent.id, include_all_assigned=self.agent.role == "admin"
        )
        self.outbox.send(
            encode(
                AgentWelcome(
                    agent=self.agent.public(),
                    conversations=await found.conversations.summaries(visible),
                    agents_online=len(await found.routing.online_agent_ids()),
                )
            )
        )
        for conversation in visible:
            self._show(conversation.id)
            if conversation.assignee_id == self.agent.id:
                self.mine.add(conversation.id)
            self._follow(conversation.id, conversation.last_seq, replay=False)
        for conversation_id, seq in frame.last_seqs.items():
            resumed = await store.conversation_by_id(found.db, conversation_id)
            if resumed is not None and await self.may_read(resumed):
                self._follow(conversation_id, seq, replay=True)

    async def message(self, frame: AgentMessage) -> None:
        reply_use = None
        if frame.saved_reply_id is not None and not frame.internal:
            reply_use = await experiments.reply_use(
                self.services.db, frame.conversation_id, frame.saved_reply_id, frame.variant
            )
        posted = await self.services.lifecycle.agent_says(
            frame.conversation_id,
            self.agent,
            text=frame.text,
            client_id=frame.client_id,
            attachment_ids=frame.attachments,
            internal=frame.internal,
            reply_use=reply_use,
        )
        message = posted.message
        self.outbox.send(
            encode(
                Ack(
                    client_id=frame.client_id,
                    seq=visible_seq(message),
                    conversation_id=message.conversation_id,
                    note_seq=-message.seq if message.internal else None,
                )
            )
        )

    async def typing_or_read(self, frame: AgentTyping | AgentRead) -> None:
        conversation = await self.services.lifecycle.conversation(frame.conversation_id)
        await self.check_may_read(conversation)
        out: TypingOut | ReadOut
        if isinstance(frame, AgentTyping):
            out = TypingOut(conversation_id=conversation.id, by="agent", state=frame.state)
        else:
            seq = min(frame.seq, conversation.last_seq)
            if seq <= conversation.agent_read_seq:
                return
            await store.update_conversation(self.services.db, conversation.id, agent_read_seq=seq)
            out = ReadOut(conversation_id=conversation.id, by="agent", seq=seq)
        await self.services.conversations.publish_frame(
            conversation, out, to_visitor=True, to_agents=False
        )

    async def may_read(self, conversation: Conversation) -> bool:
        """``access.may_read`` with this agent's teams and served visitors, re-read when the
        copy this socket holds says no or is a minute old (both only grow in the common case)."""
        fresh = time.monotonic() - self._reader_read_at < READER_TTL_SECONDS
        if self._reader is not None and fresh and access.may_read(conversation, self._reader):
            return True
        self._reader = await access.reader(self.services.db, self.agent.id, self.agent.role)
        self._reader_read_at = time.monotonic()
        return access.may_read(conversation, self._reader)

    async def check_may_read(self, conversation: Conversation) -> None:
        if not await self.may_read(conversation):
            raise access.not_yours()
