"""``console/store.py`` on both database backends (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from parley.console import store
from parley.db import Database
from parley.errors import BadRequest, Conflict, NotFound
from parley.identity.agents import create_agent
from tests.conftest import PASSWORD


async def test_saved_replies_round_trip(db: Database) -> None:
    agent = await create_agent(db, email="ann@example.com", name="Ann", password=PASSWORD)
    first = await store.create_reply(
        db, shortcut="/Thanks", title="Thanks", body="Thank you!", created_by=agent.id
    )
    second = await store.create_reply(
        db, shortcut="hello", title="Hello", body="Hi {{visitor.name}}", created_by=agent.id
    )
    assert first.shortcut == "thanks"
    assert [r.id for r in await store.list_replies(db)] == [second.id, first.id]  # by shortcut

    changed = await store.update_reply(db, first.id, shortcut="ty", title="Ty", body="Ty!")
    assert (changed.shortcut, changed.body) == ("ty", "Ty!")
    assert changed.updated_at >= first.updated_at
    with pytest.raises(Conflict):
        await store.update_reply(db, first.id, shortcut="hello", title="x", body="x")
    with pytest.raises(Conflict):
        await store.create_reply(db, shortcut="ty", title="x", body="x", created_by=agent.id)

    await store.delete_reply(db, first.id)
    assert [r.id for r in await store.list_replies(db)] == [second.id]
    with pytest.raises(NotFound):
        await store.delete_reply(db, first.id)
    with pytest.raises(NotFound):
        await store.update_reply(db, first.id, shortcut="ty", title="Ty", body="Ty!")


@pytest.mark.parametrize(
    ("shortcut", "title", "body"),
    [("", "t", "b"), ("has space", "t", "b"), ("x" * 61, "t", "b"), ("ok", " ", "b"),
     ("ok", "t", ""), ("ok", "t", "b" * 5001)],
)  # fmt: skip
def test_invalid_fields_are_refused(shortcut: str, title: str, body: str) -> None:
    with pytest.raises(BadRequest):
        store.validate(shortcut, title, body)
