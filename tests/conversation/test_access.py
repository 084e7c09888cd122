"""Who may read a conversation: one case table, checked against the Python rule and the SQL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from parley.conversation import access
from parley.conversation.access import Reader
from parley.conversation.store import Conversation, conversation_by_id, update_conversation
from parley.db import Database
from parley.db.schema import conversations
from parley.identity import store as identity_store
from tests.support.factories import new_conversation


@dataclass(frozen=True)
class Case:
    name: str
    status: str
    holder: str | None  # "me", "other" or None
    team: str | None  # "mine", "other" or None
    visitor_served_by_me: bool
    readable: bool


CASES = [
    Case("queued, anyone's", "queued", None, None, False, True),
    Case("with the bot", "bot", None, None, False, True),
    Case("mine", "assigned", "me", None, False, True),
    Case("another's, no team", "assigned", "other", None, False, False),
    Case("another's, my team", "assigned", "other", "mine", False, True),
    Case("another's, other team", "assigned", "other", "other", False, False),
    Case("resolved by another, their visitor", "resolved", "other", None, False, False),
    Case("resolved by another, a visitor I serve now", "resolved", "other", None, True, True),
    Case("resolved, never assigned", "resolved", None, None, False, True),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_python_and_sql_agree_on_who_may_read(db: Database, case: Case) -> None:
    me = await identity_store.insert_agent(
        db, email="me@example.com", name="Me", password_hash="x", role="agent"
    )
    other = await identity_store.insert_agent(
        db, email="other@example.com", name="Other", password_hash="x", role="agent"
    )
    mine = await identity_store.create_team(db, "Mine", None)
    theirs = await identity_store.create_team(db, "Theirs", None)
    await identity_store.add_team_member(db, mine.id, me.id)
    conversation = await new_conversation(db, status=case.status)
    holder = {"me": me.id, "other": other.id, None: None}[case.holder]
    team = {"mine": mine.id, "other": theirs.id, None: None}[case.team]
    await update_conversation(db, conversation.id, assignee_id=holder, team_id=team)
    if case.visitor_served_by_me:  # the same visitor, in a conversation I hold now
        current = await new_conversation(db, status="assigned")
        await update_conversation(
            db, current.id, assignee_id=me.id, visitor_id=conversation.visitor_id
        )
    stored = await conversation_by_id(db, conversation.id)
    assert stored is not None

    who = await access.reader(db, me.id, "agent")
    assert access.may_read(stored, who) is case.readable
    assert await _readable_in_sql(db, stored, who) is case.readable
    admin = await access.reader(db, other.id, "admin")
    assert access.may_read(stored, admin)
    assert await _readable_in_sql(db, stored, admin)


async def _readable_in_sql(db: Database, conversation: Conversation, who: Reader) -> bool:
    async with db.read() as conn:
        found = await conn.scalar(
            select(conversations.c.id).where(
                conversations.c.id == conversation.id, access.readable(who)
            )
        )
    return found is not None
