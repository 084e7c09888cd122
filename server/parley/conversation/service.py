"""The conversation path's one door: validate, store (assigning ``seq``), then publish.

Everything here runs after the caller knows *who* is acting; it never sees a socket. The
order is the contract: the database commit happens first, the bus hears about it after, so a
message that was acknowledged or fanned out is always in the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from msgspec import Struct

from parley import clock
from parley.bus import Bus
from parley.conversation import store
from parley.conversation.events import (
    AGENTS_CHANNEL,
    conversation_channel,
    pack,
    visitor_channel,
)
from parley.conversation.protocol import (
    Author,
    ConversationOut,
    MessageOut,
    StatusOut,
    encode,
)
from parley.conversation.shapes import (
    AssigneeOut,
    Summary,
    VisitorConversation,
    attachment,
    summary,
    visitor_conversation,
)
from parley.conversation.store import Appended, Conversation, Message
from parley.conversation.store.history import BusinessSeconds
from parley.conversation.store.labels import labels_of
from parley.db import Database
from parley.errors import BadRequest
from parley.identity import store as identity_store


def visible_seq(message: Message) -> int:
    """The ``seq`` a client sees: its own for messages, the one it follows for internal notes."""
    return message.follows_seq if message.follows_seq is not None else message.seq


class ConversationService:
    def __init__(self, db: Database, bus: Bus) -> None:
        self.db = db
        self.bus = bus

    # --- reading --------------------------------------------------------------------------

    async def message_frame(self, message: Message) -> bytes:
        rows = await store.attachments_of(self.db, message.conversation_id, message.attachment_ids)
        return encode(
            MessageOut(
                conversation_id=message.conversation_id,
                seq=visible_seq(message),
                client_id=message.client_id,
                author=Author(
                    kind=message.author_kind,  # type: ignore[arg-type]
                    name=message.author_name,
                    id=message.author_id,
                ),
                text=message.text,
                attachments=[attachment(row) for row in rows],
                created_at=clock.iso(message.created_at) or "",
                internal=message.internal,
                note_seq=-message.seq if message.internal else None,
                suggestions=message.suggestions,
                via=message.via,
            )
        )

    async def replay(
        self, conversation_id: str, after_seq: int, *, include_internal: bool
    ) -> list[tuple[int, bytes]]:
        """``(seq, frame)`` for every message after ``after_seq``: what a resuming client missed.

        Internal notes come with their stored, negative number (``-note_seq``): they do not
        advance the visible ``seq``, but a socket can tell which notes it already has.
        """
        missed = await store.read_since(
            self.db, conversation_id, after_seq, include_internal=include_internal
        )
        return [(message.seq, await self.message_frame(message)) for message in missed]

    async def summaries(self, conversations: list[Conversation]) -> list[Summary]:
        """SUMMARY objects of PROTOCOL.md, with visitor context for the agent's side panel."""
        ids = [conversation.id for conversation in conversations]
        visitors = await store.visitor_rows(self.db, [c.visitor_id for c in conversations])
        latest = await store.last_messages(self.db, ids)
        from_visitor = await store.last_visitor_messages(self.db, ids)
        episodes = await store.current_episodes(self.db, ids)
        labels = await labels_of(self.db, ids)
        return [
            summary(
                conversation,
                episodes.get(conversation.id),
                visitors.get(conversation.visitor_id),
                latest.get(conversation.id),
                labels.get(conversation.id, []),
                from_visitor.get(conversation.id),
            )
            for conversation in conversations
        ]

    async def summary(self, conversation: Conversation) -> Summary:
        return (await self.summaries([conversation]))[0]

    async def visitor_conversations(
        self, conversations: list[Conversation]
    ) -> list[VisitorConversation]:
        """What a visitor sees of their own conversations, with who holds each."""
        episodes = await store.current_episodes(self.db, [c.id for c in conversations])
        names: dict[str, AssigneeOut] = {}
        for agent_id in {c.assignee_id for c in conversations if c.assignee_id}:
            agent = await identity_store.agent_by_id(self.db, agent_id)
            if agent is not None:
                names[agent_id] = AssigneeOut(agent.id, agent.name)
        return [
            visitor_conversation(
                conversation,
                episodes.get(conversation.id),
                names.get(conversation.assignee_id or ""),
            )
            for conversation in conversations
        ]

    # --- writing --------------------------------------------------------------------------

    async def post(
        self,
        conversation_id: str,
        *,
        author_kind: str,
        author_id: str | None,
        author_name: str | None,
        text: str,
        client_id: str | None = None,
        internal: bool = False,
        attachment_ids: list[str] | None = None,
        suggestions: list[dict[str, Any]] | None = None,
        business_seconds: BusinessSeconds | None = None,
        reply_use: Mapping[str, Any] | None = None,
        via: str | None = None,
        mail_after: timedelta | None = None,
    ) -> Appended:
        """Store then publish a message; a repeated ``client_id`` returns the stored one."""
        attachment_ids = list(dict.fromkeys(attachment_ids or []))
        if not text.strip() and not attachment_ids:
            raise BadRequest("a message needs text or an attachment", code="empty_message")
        found = await store.attachments_of(self.db, conversation_id, attachment_ids)
        if len(found) != len(attachment_ids):
            raise BadRequest(
                "attachments must be uploaded to this conversation first",
                code="unknown_attachment",
            )
        appended = await store.append_message(
            self.db,
            conversation_id,
            client_id=client_id,
            author_kind=author_kind,
            author_id=author_id,
            author_name=author_name,
            text=text,
            internal=internal,
            attachment_ids=attachment_ids,
            suggestions=suggestions,
            business_seconds=business_seconds,
            reply_use=reply_use,
            via=via,
            mail_after=mail_after,
        )
        if appended.created:
            message = appended.message
            await self.publish(
                appended.conversation,
                await self.message_frame(message),
                seq=message.seq,  # negative for a note: see ``replay``
                to_visitor=not internal,
            )
        return appended

    async def announce(self, conversation: Conversation) -> None:
        """Tell the visitor the status and every agent the summary, as they are now.

        State frames carry the whole state (never a difference), read fresh here: two changes
        racing (a handoff and the router's assignment) each announce the newest row, and agents
        drop a summary older than one they already have (``updated_at``).
        """
        conversation = await store.conversation_by_id(self.db, conversation.id) or conversation
        status = encode(StatusOut(conversation_id=conversation.id, status=conversation.status))
        await self.bus.publish(
            visitor_channel(conversation.visitor_id), pack(status, conversation_id=conversation.id)
        )
        await self._announce_summary(conversation)

    async def announce_to_agents(self, conversation: Conversation) -> None:
        """The summary alone, for changes the visitor does not see (labels)."""
        conversation = await store.conversation_by_id(self.db, conversation.id) or conversation
        await self._announce_summary(conversation)

    async def _announce_summary(self, conversation: Conversation) -> None:
        summary = encode(ConversationOut(conversation=await self.summary(conversation)))
        await self.bus.publish(AGENTS_CHANNEL, pack(summary))

    async def publish(
        self,
        conversation: Conversation,
        frame: bytes,
        *,
        seq: int | None = None,
        to_visitor: bool = True,
        to_agents: bool = True,
    ) -> None:
        payload = pack(frame, conversation_id=conversation.id, seq=seq)
        if to_agents:
            await self.bus.publish(conversation_channel(conversation.id), payload)
        if to_visitor:
            await self.bus.publish(visitor_channel(conversation.visitor_id), payload)

    async def publish_frame(
        self, conversation: Conversation, frame: Struct, *, to_visitor: bool, to_agents: bool
    ) -> None:
        """A frame without a ``seq`` (typing, read, queue, assigned): not stored, only relayed."""
        await self.publish(conversation, encode(frame), to_visitor=to_visitor, to_agents=to_agents)
