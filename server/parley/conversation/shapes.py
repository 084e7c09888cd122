"""The conversation's shapes on the wire, each with its one builder.

``Summary`` is PROTOCOL.md's SUMMARY (what agents see of a conversation, extended with the
visitor context and the current episode's rating); ``VisitorConversation`` is what a visitor
sees of their own (``welcome`` and ``GET /api/v1/conversations``); ``AttachmentOut`` is an
attachment as messages and the upload API carry it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import Struct

from parley import clock
from parley.conversation.status import Status
from parley.conversation.store import Conversation, Episode, Message


class AttachmentOut(Struct):
    attachment_id: str
    url: str
    thumb_url: str
    content_type: str
    width: int
    height: int
    frames: int
    bytes: int


def attachment(row: dict[str, Any]) -> AttachmentOut:
    return AttachmentOut(
        attachment_id=row["id"],
        url=f"/api/v1/attachments/{row['id']}",
        thumb_url=f"/api/v1/attachments/{row['id']}/thumb",
        content_type=row["content_type"],
        width=row["width"],
        height=row["height"],
        frames=row["frames"],
        bytes=row["bytes"],
    )


class SummaryVisitor(Struct):
    id: str
    name: str | None
    email: str | None
    verified: bool
    page_url: str | None
    referrer: str | None
    user_agent: str | None
    locale: str | None
    attributes: dict[str, Any]
    conversation_count: int


class LastMessage(Struct):
    seq: int
    author_kind: str
    text: str
    images: int
    internal: bool
    created_at: str | None


def _last(message: Message | None) -> LastMessage | None:
    if message is None:
        return None
    return LastMessage(
        seq=message.seq,
        author_kind=message.author_kind,
        text=message.text[:200],
        images=len(message.attachment_ids),
        internal=message.internal,
        created_at=clock.iso(message.created_at),
    )


class Summary(Struct):
    id: str
    status: Status
    assignee: str | None
    team: str | None
    visitor: SummaryVisitor
    last_seq: int
    last_message: LastMessage | None
    # The visitor's own newest words (never a system line or a reply): what triage reads.
    last_visitor_message: LastMessage | None
    unread: int
    episode: int
    rating: int | None
    rating_comment: str | None
    labels: list[str]
    created_at: str | None
    updated_at: str | None  # orders summaries of one conversation: a newer one replaces
    queued_at: str | None
    resolved_at: str | None


def summary(
    conversation: Conversation,
    episode: Episode | None,
    visitor: dict[str, Any] | None,
    last: Message | None,
    labels: list[str],
    last_from_visitor: Message | None,
) -> Summary:
    """The SUMMARY of a conversation; rating and resolution are its current episode's."""
    visitor = visitor or {}
    return Summary(
        id=conversation.id,
        status=conversation.status,
        assignee=conversation.assignee_id,
        team=conversation.team_id,
        visitor=SummaryVisitor(
            id=conversation.visitor_id,
            name=visitor.get("name"),
            email=visitor.get("email") or conversation.offline_email,
            verified=bool(visitor.get("verified")),
            page_url=visitor.get("page_url"),
            referrer=visitor.get("referrer"),
            user_agent=visitor.get("user_agent"),
            locale=visitor.get("locale") or conversation.locale,
            attributes=visitor.get("attributes") or {},
            conversation_count=visitor.get("conversation_count") or 1,
        ),
        last_seq=conversation.last_seq,
        last_message=_last(last),
        last_visitor_message=_last(last_from_visitor),
        unread=conversation.last_seq - conversation.agent_read_seq,
        episode=conversation.episode,
        rating=episode.rating if episode else None,
        rating_comment=episode.rating_comment if episode else None,
        labels=labels,
        created_at=clock.iso(conversation.created_at),
        updated_at=clock.iso(conversation.updated_at),
        queued_at=clock.iso(conversation.queued_at),
        resolved_at=clock.iso(episode.resolved_at) if episode else None,
    )


class AssigneeOut(Struct):
    id: str
    name: str


class VisitorConversation(Struct):
    id: str
    status: Status
    assignee: AssigneeOut | None
    last_seq: int
    agent_read_seq: int
    episode: int
    rating: int | None
    created_at: str | None
    updated_at: str | None


def visitor_conversation(
    conversation: Conversation, episode: Episode | None, assignee: AssigneeOut | None
) -> VisitorConversation:
    """A visitor's own conversation; the rating is the current episode's (null after a reopen)."""
    return VisitorConversation(
        id=conversation.id,
        status=conversation.status,
        assignee=assignee,
        last_seq=conversation.last_seq,
        agent_read_seq=conversation.agent_read_seq,
        episode=conversation.episode,
        rating=episode.rating if episode else None,
        created_at=clock.iso(conversation.created_at),
        updated_at=clock.iso(conversation.updated_at),
    )


def withheld(summary: Summary) -> Summary:
    """What an agent who may not read a conversation they saw before learns of it: that it
    moved on (its status, holder and times), never who the visitor is or what was said."""
    return msgspec.structs.replace(
        summary,
        visitor=SummaryVisitor(
            id=summary.visitor.id,
            name=None,
            email=None,
            verified=False,
            page_url=None,
            referrer=None,
            user_agent=None,
            locale=None,
            attributes={},
            conversation_count=0,
        ),
        last_message=None,
        last_visitor_message=None,
        unread=0,
        rating=None,
        rating_comment=None,
        labels=[],
    )
