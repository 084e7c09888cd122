"""Known issues on both databases: the fix announced once into every linked conversation, a
mail to the visitor who left (not to one who read it in the widget), and the counts
notified / read / replied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from parley import clock
from parley.bus.memory import MemoryBus
from parley.config import Settings
from parley.conversation import store
from parley.conversation.service import ConversationService
from parley.db import Database
from parley.errors import BadRequest, Forbidden
from parley.identity import store as identity_store
from parley.identity.store import Agent
from parley.knownissues import KnownIssues
from parley.knownissues.store import Counts
from parley.mail.compose import MailComposer
from parley.mail.sender import MailSender
from parley.mail.tokens import MailTokens
from parley.mail.transport import SmtpTransport
from tests.support.factories import new_conversation
from tests.support.smtp import MailSink, smtp_sink, text_of

FIX = "The login problem is fixed: please try again."


@dataclass
class Desk:
    db: Database
    issues: KnownIssues
    conversations: ConversationService
    admin: Agent
    sink: MailSink
    settings: Settings


@pytest.fixture
async def desk(db: Database) -> AsyncIterator[Desk]:
    conversations = ConversationService(db, MemoryBus())
    admin = await identity_store.insert_agent(
        db, email="ada@example.com", name="Ada", password_hash="x", role="admin"
    )
    settings = Settings(secret_key="k" * 32, mail_from="help@shop.test")
    async with smtp_sink() as sink:
        yield Desk(
            db,
            KnownIssues(db, conversations, mail_after=timedelta(minutes=5)),
            conversations,
            admin,
            sink,
            settings,
        )


async def visible_texts(db: Database, conversation_id: str) -> list[str]:
    return [m.text for m in await store.read_since(db, conversation_id, 0, include_internal=False)]


async def test_fixed_announces_once_and_counts_who_read_and_replied(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue = await desk.issues.create(desk.admin, "Login fails", "https://tracker.test/42")
    left = await new_conversation(desk.db, status="resolved", email="left@x.test")
    reader = await new_conversation(desk.db, status="assigned", email="reader@x.test")
    replier = await new_conversation(desk.db, status="assigned")
    unlinked = await new_conversation(desk.db, status="assigned", email="other@x.test")
    for conversation in (left, reader, replier, reader):  # linking twice changes nothing
        await desk.issues.link(desk.admin, issue.id, conversation.id)

    fixed = await desk.issues.mark_fixed(desk.admin, issue.id, FIX)
    assert (fixed.status, fixed.fix_message) == ("fixed", FIX)
    for conversation in (left, reader, replier):
        assert await visible_texts(desk.db, conversation.id) == [FIX]
    assert await visible_texts(desk.db, unlinked.id) == []
    assert await desk.issues.counts(issue.id) == Counts(3, 3, 0, 0)

    await desk.issues.mark_fixed(desk.admin, issue.id, "A second announcement")  # twice
    for conversation in (left, reader, replier):
        assert await visible_texts(desk.db, conversation.id) == [FIX]

    await store.update_conversation(desk.db, reader.id, visitor_read_seq=1)
    await desk.conversations.post(
        replier.id, author_kind="visitor", author_id=None, author_name=None, text="Works, thanks"
    )
    assert await desk.issues.counts(issue.id) == Counts(3, 3, 1, 1)

    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(minutes=6))
    sender = MailSender(
        desk.db,
        desk.settings,
        MailComposer(desk.db, desk.settings, MailTokens("k" * 32)),
        SmtpTransport(desk.sink.url),
        lambda: _nobody(),
    )
    while await sender.drain_once():
        pass
    (mail,) = await desk.sink.wait_for(1)  # the reader saw it; the replier left no address
    assert mail.recipients == ["left@x.test"]
    assert str(mail.message["Subject"]) == "Fixed: Login fails"
    assert FIX in text_of(mail.message)
    await sender.close()


async def _nobody() -> list[str]:
    return []


async def test_bad_issues_and_links_are_refused(desk: Desk) -> None:
    with pytest.raises(BadRequest):
        await desk.issues.create(desk.admin, "Login\r\nBcc: x@y.test", None)
    with pytest.raises(BadRequest):
        await desk.issues.create(desk.admin, "Login", "javascript:alert(1)")
    issue = await desk.issues.create(desk.admin, "Login", None)
    agent = await identity_store.insert_agent(
        desk.db, email="sam@example.com", name="Sam", password_hash="x", role="agent"
    )
    someone_elses = await new_conversation(desk.db, status="assigned")
    await store.update_conversation(desk.db, someone_elses.id, assignee_id=desk.admin.id)
    with pytest.raises(Forbidden):
        await desk.issues.link(agent, issue.id, someone_elses.id)
    assert await desk.issues.links(issue.id) == []
