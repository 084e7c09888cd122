"""Rows tests need as a starting point, made through the stores the server itself uses."""

from __future__ import annotations

from parley.conversation import store
from parley.conversation.store import Conversation
from parley.db import Database
from parley.identity import store as identity_store
from parley.replies import store as replies_store
from parley.replies.store import Fields, SavedReply


async def new_conversation(
    db: Database, *, status: str = "bot", name: str | None = None, email: str | None = None
) -> Conversation:
    """A visitor's conversation (anonymous unless named), moved to ``status``."""
    visitor = await identity_store.insert_visitor(
        db,
        name=name,
        email=email,
        locale=None,
        page_url=None,
        referrer=None,
        user_agent=None,
        attributes={},
        user_id=None,
        verified=False,
    )
    conversation = await store.create_conversation(
        db, visitor_id=visitor.id, locale="en", team_id=None
    )
    if status == "bot":
        return conversation
    changed = await store.update_conversation(db, conversation.id, status=status)
    assert changed is not None
    return changed


async def new_saved_reply(
    db: Database, created_by: str, *, shortcut: str, body: str, title: str = "A reply"
) -> SavedReply:
    """Everyone's reply, no tags or images, straight into the store."""
    fields = Fields(shortcut, title, body, (), None, None, ())
    return await replies_store.create_reply(db, fields, created_by=created_by)
