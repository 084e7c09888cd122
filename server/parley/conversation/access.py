"""Who may read and who may act on a conversation: the one rule, as Python and as SQL.

An admin reads everything. An agent reads the conversations nobody holds yet (bot, queued, or
never assigned), their own, their teams', and every conversation of a visitor they are serving
now, so the history of the person in front of them is never hidden. Only the holder (or an
admin) acts on an assigned conversation. ``may_read`` decides for one conversation in hand;
``readable`` is the same rule as a WHERE clause for searches, and a test runs one case table
through both. This module builds the clause; the stores run it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from parley.conversation.status import WAITING_STATUSES
from parley.conversation.store import Conversation
from parley.conversation.store.conversations import reader_facts
from parley.db import Database
from parley.db.schema import conversations
from parley.errors import Forbidden


@dataclass(frozen=True)
class Reader:
    """An agent as the rule sees them."""

    agent_id: str
    is_admin: bool
    team_ids: frozenset[str] = frozenset()
    serving_visitor_ids: frozenset[str] = frozenset()


async def reader(db: Database, agent_id: str, role: str) -> Reader:
    """The agent with their teams and the visitors they serve, read now."""
    if role == "admin":
        return Reader(agent_id, is_admin=True)
    teams, serving = await reader_facts(db, agent_id)
    return Reader(agent_id, is_admin=False, team_ids=teams, serving_visitor_ids=serving)


def may_read(conversation: Conversation, who: Reader) -> bool:
    return may_read_held(
        who,
        status=conversation.status,
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
        visitor_id=conversation.visitor_id,
    )


def may_read_held(
    who: Reader, *, status: str, assignee_id: str | None, team_id: str | None, visitor_id: str
) -> bool:
    """The rule on the facts it needs, for a conversation known only by its summary."""
    return (
        who.is_admin
        or status in WAITING_STATUSES
        or assignee_id in (None, who.agent_id)
        or (team_id is not None and team_id in who.team_ids)
        or visitor_id in who.serving_visitor_ids
    )


def readable(who: Reader) -> ColumnElement[bool]:
    """``may_read`` as a condition on ``conversations``."""
    if who.is_admin:
        return true()
    c = conversations.c
    return or_(
        c.status.in_(WAITING_STATUSES),
        c.assignee_id.is_(None),
        c.assignee_id == who.agent_id,
        c.team_id.in_(who.team_ids) if who.team_ids else false(),
        c.visitor_id.in_(who.serving_visitor_ids) if who.serving_visitor_ids else false(),
    )


def not_yours() -> Forbidden:
    """The one refusal for a conversation the agent may not read or act on."""
    return Forbidden("this conversation belongs to another agent", code="not_your_conversation")


def check_may_read(conversation: Conversation, who: Reader) -> None:
    if not may_read(conversation, who):
        raise not_yours()


def check_may_act(conversation: Conversation, agent_id: str, role: str) -> None:
    """Only the holder (or an admin) acts on an assigned conversation."""
    if role == "admin" or conversation.assignee_id in (None, agent_id):
        return
    raise not_yours()
