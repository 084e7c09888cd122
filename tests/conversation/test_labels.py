"""Labels on conversations: one spelling per label, no duplicates, removable."""

from __future__ import annotations

import pytest

from parley.conversation import store
from parley.conversation.store import labels
from parley.db import Database
from parley.errors import BadRequest
from tests.support.factories import new_conversation


async def test_labels_are_cleaned_deduplicated_and_removable(db: Database) -> None:
    conversation = await new_conversation(db)
    await labels.add_label(db, conversation.id, "  VIP   Customer ")
    await labels.add_label(db, conversation.id, "vip customer")  # the same label: no-op
    await labels.add_label(db, conversation.id, "Billing")
    assert await labels.labels_of(db, [conversation.id]) == {
        conversation.id: ["billing", "vip customer"]
    }
    await labels.remove_label(db, conversation.id, "BILLING")
    assert await labels.labels_of(db, [conversation.id]) == {conversation.id: ["vip customer"]}
    added = [e.data for e in await store.events_of(db, conversation.id) if e.type == "label_added"]
    assert added == [{"label": "vip customer"}, {"label": "billing"}]  # the no-op added nothing
    for bad in ("", "   ", "x" * 41, "a/b", "<b>"):
        with pytest.raises(BadRequest):
            await labels.add_label(db, conversation.id, bad)
