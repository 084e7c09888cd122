"""``append_message`` and ``read_since`` on SQLite and PostgreSQL: the durability contract;
conversation labels."""

from __future__ import annotations

import asyncio

from parley.conversation import store
from parley.conversation.store import Conversation
from parley.db import Database
from tests.support.factories import new_conversation


async def _say(
    db: Database, conversation: Conversation, text: str, **extra: object
) -> store.Message:
    appended = await store.append_message(
        db,
        conversation.id,
        author_kind="visitor",
        author_id=None,
        author_name=None,
        text=text,
        client_id=extra.pop("client_id", None),
        **extra,  # type: ignore[arg-type]
    )
    return appended.message


async def test_concurrent_appends_get_unique_contiguous_seqs(db: Database) -> None:
    conversation = await new_conversation(db)
    stored = await asyncio.gather(*(_say(db, conversation, f"m{n}") for n in range(30)))
    assert sorted(m.seq for m in stored) == list(range(1, 31))
    replay = await store.read_since(db, conversation.id, 0, include_internal=False)
    assert [m.seq for m in replay] == list(range(1, 31))


async def test_the_same_client_id_racing_is_stored_once(db: Database) -> None:
    conversation = await new_conversation(db)
    results = await asyncio.gather(
        *(
            store.append_message(
                db,
                conversation.id,
                client_id="dup",
                author_kind="visitor",
                author_id=None,
                author_name=None,
                text="once",
            )
            for _ in range(8)
        )
    )
    assert len({result.message.id for result in results}) == 1
    assert sum(result.created for result in results) == 1
    assert len(await store.read_since(db, conversation.id, 0, include_internal=True)) == 1
    assert all(result.conversation.last_seq == 1 for result in results)
    assert (await _say(db, conversation, "next")).seq == 2  # a repeat takes no number


async def test_internal_notes_never_leave_a_gap_for_the_visitor(db: Database) -> None:
    conversation = await new_conversation(db)
    await _say(db, conversation, "one")
    note = await _say(db, conversation, "team only", internal=True)
    await _say(db, conversation, "two")
    assert (note.seq, note.follows_seq) == (-1, 1)
    for_visitor = await store.read_since(db, conversation.id, 0, include_internal=False)
    assert [(m.seq, m.text) for m in for_visitor] == [(1, "one"), (2, "two")]
    for_agents = await store.read_since(db, conversation.id, 0, include_internal=True)
    assert [m.text for m in for_agents] == ["one", "team only", "two"]
    resumed = await store.read_since(db, conversation.id, 1, include_internal=True)
    assert [m.text for m in resumed] == ["team only", "two"]


async def test_guarded_update_only_changes_from_the_given_status(db: Database) -> None:
    conversation = await new_conversation(db)
    assert (
        await store.update_conversation(
            db, conversation.id, only_if_status=("queued",), status="assigned"
        )
        is None
    )
    changed = await store.update_conversation(
        db, conversation.id, only_if_status=("bot",), status="queued"
    )
    assert changed is not None
    assert changed.status == "queued"


async def test_the_visitors_own_newest_words_skip_replies_notes_and_system_lines(
    db: Database,
) -> None:
    conversation, quiet = await new_conversation(db), await new_conversation(db)
    await _say(db, conversation, "first question")
    await _say(db, conversation, "my card was charged twice")
    for kind, extra in (("agent", {}), ("system", {}), ("agent", {"internal": True})):
        await store.append_message(
            db, conversation.id, author_kind=kind, author_id=None, author_name=None,
            text=f"{kind} line", client_id=None, **extra,  # type: ignore[arg-type]
        )  # fmt: skip
    await store.append_message(
        db, quiet.id, author_kind="system", author_id=None, author_name=None,
        text="Nobody from the team is online", client_id=None,
    )  # fmt: skip
    found = await store.last_visitor_messages(db, [conversation.id, quiet.id])
    assert {cid: m.text for cid, m in found.items()} == {
        conversation.id: "my card was charged twice"
    }
    assert (await store.last_messages(db, [conversation.id]))[conversation.id].text == (
        "system line"
    )
