"""``console/store.py`` (the conversation search) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from parley.console import store
from parley.conversation import access
from parley.conversation import store as conversation_store
from parley.conversation.access import Reader
from parley.conversation.store import labels as conversation_labels
from parley.db import Database
from parley.errors import BadRequest
from parley.identity.agents import create_agent
from tests.conftest import PASSWORD
from tests.support.factories import new_conversation


async def _said(db: Database, conversation_id: str, text: str) -> None:
    await conversation_store.append_message(
        db, conversation_id, client_id=None, author_kind="visitor", author_id=None,
        author_name=None, text=text,
    )  # fmt: skip


async def _found(db: Database, search: store.Search, agent_id: str = "agt_x") -> list[str]:
    page, _ = await store.search_conversations(db, search, Reader(agent_id, is_admin=True))
    return [conversation.id for conversation in page]


async def test_search_by_name_email_and_text_without_wildcards(db: Database) -> None:
    vera = await new_conversation(db, name="Vera Lynn", email="vera@shop.example")
    await _said(db, vera.id, "Is 100% of the fee refunded?")
    otto = await new_conversation(db, name="Otto", email="otto_b@example.com")
    await _said(db, otto.id, "My invoice is wrong")
    assert await _found(db, store.Search(text="vERA")) == [vera.id]
    assert await _found(db, store.Search(text="shop.example")) == [vera.id]
    assert await _found(db, store.Search(text="INVOICE")) == [otto.id]
    assert await _found(db, store.Search(text="100%")) == [vera.id]
    assert await _found(db, store.Search(text="%")) == [vera.id]  # a percent sign, not "anything"
    assert await _found(db, store.Search(text="o_b")) == [otto.id]  # "_" is not "any character"
    assert await _found(db, store.Search(text="t_o")) == []
    assert await _found(db, store.Search(text="nobody")) == []


async def test_search_text_is_a_plain_substring_whatever_it_contains(db: Database) -> None:
    # Characters that mean something to SQLite's full-text index mean nothing here.
    quoted = await new_conversation(db)
    await _said(db, quoted.id, 'He wrote "NEAR(a b)" and c*d - OR not')
    other = await new_conversation(db)
    await _said(db, other.id, "Nothing special at all")
    for typed in ('"near(a', 'b)" and', "c*d", "- or n", 'e "', "ial at al"):
        expected = [other.id] if typed == "ial at al" else [quoted.id]
        assert await _found(db, store.Search(text=typed)) == expected, typed
    assert await _found(db, store.Search(text="c*x")) == []
    assert await _found(db, store.Search(text="a b c")) == []  # the words, but not in a row


async def test_search_filters_by_label_status_and_visitor_and_pages(db: Database) -> None:
    older = await new_conversation(db, status="resolved", name="Ann")
    newer = await new_conversation(db, status="queued", name="Ann")
    await conversation_labels.add_label(db, older.id, "  Billing ")
    assert await _found(db, store.Search(label="BILLING")) == [older.id]
    assert await _found(db, store.Search(status="resolved")) == [older.id]
    assert await _found(db, store.Search(status="open")) == [newer.id]
    assert await _found(db, store.Search(visitor_id=newer.visitor_id)) == [newer.id]
    same_person = await new_conversation(db, email="Zed@Example.com")
    await new_conversation(db, email="zed@example.com.evil")
    assert await _found(db, store.Search(email=" zed@example.COM")) == [same_person.id]
    first, more = await store.search_conversations(
        db, store.Search(text="ann", limit=1), Reader("agt_x", is_admin=True)
    )
    assert [c.id for c in first] == [newer.id]
    assert more
    second, more = await store.search_conversations(
        db, store.Search(text="ann", limit=1, offset=1), Reader("agt_x", is_admin=True)
    )
    assert [c.id for c in second] == [older.id]
    assert not more
    with pytest.raises(BadRequest):
        await _found(db, store.Search(status="deleted"))


async def test_agents_find_only_what_they_may_read(db: Database) -> None:
    ann = await create_agent(db, email="ann@example.com", name="Ann", password=PASSWORD)
    bob = await create_agent(db, email="bob@example.com", name="Bob", password=PASSWORD)
    mine = await new_conversation(db, status="resolved", name="Vera")
    theirs = await new_conversation(db, status="resolved", name="Vera")
    queued = await new_conversation(db, status="queued", name="Vera")
    self_served = await new_conversation(db, status="resolved", name="Vera")
    await conversation_store.update_conversation(db, mine.id, assignee_id=ann.id)
    await conversation_store.update_conversation(db, theirs.id, assignee_id=bob.id)
    page, _ = await store.search_conversations(
        db, store.Search(text="vera"), await access.reader(db, ann.id, "agent")
    )
    assert {c.id for c in page} == {mine.id, queued.id, self_served.id}
    everything, _ = await store.search_conversations(
        db, store.Search(text="vera"), await access.reader(db, ann.id, "admin")
    )
    assert theirs.id in {c.id for c in everything}
