"""The transcript a visitor asks for: written into the outbox by the resolve (or by the ask, when
the conversation is resolved already), once per episode, in the visitor's language, delivered
to a real SMTP server; on both databases, and through the visitor's socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from parley import clock
from parley.config import Settings
from parley.conversation import store
from parley.conversation.lifecycle import transcript_mail
from parley.conversation.store import Conversation
from parley.conversation.store.history import Change, Moment, apply_in
from parley.errors import BadRequest
from parley.identity import store as identity_store
from parley.identity.store import Visitor
from parley.mail import store as outbox
from tests.conftest import PASSWORD, serving
from tests.mail.mailroom import Mailroom, drain, reply
from tests.support.chat import agent_client, agent_token, new_visitor, visitor_client
from tests.support.factories import new_conversation
from tests.support.live_server import free_port
from tests.support.smtp import MailSink, smtp_sink, text_of


async def visitor_of(room: Mailroom, conversation: Conversation) -> Visitor:
    visitor = await identity_store.visitor_by_id(room.db, conversation.visitor_id)
    assert visitor is not None
    return visitor


async def chat(room: Mailroom, *, locale: str = "en") -> Conversation:
    """A visitor's question and Ann's answer, in an assigned conversation."""
    conversation = await new_conversation(room.db, status="queued", name="Vera")
    await store.update_conversation(room.db, conversation.id, locale=locale)
    await room.life.conversations.post(
        conversation.id,
        author_kind="visitor",
        author_id=None,
        author_name=None,
        text="My router keeps dropping the connection",
    )
    await room.life.accept(conversation.id, room.agent)
    await reply(room, conversation.id, "Please update its firmware to 2.1.")
    return await room.life.conversation(conversation.id)


async def transcripts(room: Mailroom) -> list[outbox.OutboxRow]:
    return [row for row in await outbox.recent(room.db) if row.kind == "transcript"]


async def test_asked_during_the_chat_it_is_mailed_with_the_resolve(room: Mailroom) -> None:
    conversation = await chat(room)
    visitor = await visitor_of(room, conversation)
    await room.life.transcript(visitor, conversation, "vera@example.com")
    assert await transcripts(room) == []  # nothing to send until the conversation ends
    shown = await store.read_since(room.db, conversation.id, 0, include_internal=False)
    assert shown[-1].text == (
        "We will email the transcript to vera@example.com when this conversation is resolved."
    )

    await room.life.resolve(conversation.id, by="agent", agent=room.agent)
    (row,) = await transcripts(room)
    assert row.status == "pending"
    assert row.due_at <= clock.now()  # at once, unlike the rating request
    await drain(room.sender())
    (mail,) = await room.sink.wait_for(1)
    assert mail.recipients == ["vera@example.com"]
    assert str(mail.message["Subject"]) == "Your conversation with us"
    body = text_of(mail.message)
    assert "You (" in body
    assert "My router keeps dropping the connection" in body
    assert "Ann (" in body
    assert "Please update its firmware to 2.1." in body
    html = mail.message.get_body(preferencelist=("html",))
    assert html is not None
    assert "Please update its firmware to 2.1." in html.get_content()
    assert str(mail.message["Reply-To"]).startswith("reply+")  # a reply continues the chat


async def test_asked_after_the_resolve_it_goes_at_once_and_only_once(room: Mailroom) -> None:
    conversation = await chat(room, locale="pl")
    await room.life.resolve(conversation.id, by="agent", agent=room.agent)
    assert await transcripts(room) == []
    resolved = await room.life.conversation(conversation.id)
    visitor = await visitor_of(room, resolved)
    await room.life.transcript(visitor, resolved, "vera@example.com")
    await room.life.transcript(visitor, resolved, "vera@example.com")  # a second click
    with pytest.raises(BadRequest) as readdressed:  # never a second copy to someone else
        await room.life.transcript(visitor, resolved, "someone@else.test")
    assert readdressed.value.code == "transcript_sent"
    assert len(await transcripts(room)) == 1
    said = await store.read_since(room.db, conversation.id, 0, include_internal=False)
    assert [m.text for m in said].count("Wysyłamy zapis rozmowy na vera@example.com.") == 1
    await drain(room.sender())
    (mail,) = await room.sink.wait_for(1)
    assert str(mail.message["Subject"]) == "Twoja rozmowa z nami"
    assert "Ty (" in text_of(mail.message)
    await asyncio.sleep(0.2)
    assert len(room.sink.received) == 1


async def test_the_address_given_before_is_used_and_none_at_all_is_refused(
    room: Mailroom,
) -> None:
    conversation = await chat(room)
    visitor = await visitor_of(room, conversation)
    with pytest.raises(BadRequest) as refused:
        await room.life.transcript(visitor, conversation, None)
    assert refused.value.code == "no_email"
    events = await store.events_of(room.db, conversation.id)
    assert "transcript_requested" not in [event.type for event in events]

    await room.life.contact(conversation, "left@example.com")  # the offline form's address
    await room.life.transcript(visitor, await room.life.conversation(conversation.id), None)
    await room.life.resolve(conversation.id, by="agent", agent=room.agent)
    (row,) = await transcripts(room)
    assert row.data["to"] == "left@example.com"


async def test_a_resolve_that_rolls_back_takes_its_transcript_with_it(room: Mailroom) -> None:
    conversation = await chat(room)
    await room.life.transcript(await visitor_of(room, conversation), conversation, "v@x.test")
    resolve = Change(
        moments=(Moment("resolved"),),
        conversation={"status": "resolved"},
        episode={"resolved_at": clock.now()},
        episode_mails=transcript_mail,
    )
    with pytest.raises(RuntimeError):
        async with room.db.transaction() as conn:
            changed = await apply_in(conn, conversation.id, resolve)
            assert changed is not None
            raise RuntimeError("crash before the commit")
    assert await transcripts(room) == []
    assert (await room.life.conversation(conversation.id)).status == "assigned"


async def test_an_ask_racing_the_resolve_is_never_lost(room: Mailroom) -> None:
    conversations = [await chat(room) for _ in range(8)]
    visitors = [await visitor_of(room, conversation) for conversation in conversations]
    await asyncio.gather(
        *(
            step
            for conversation, visitor in zip(conversations, visitors, strict=True)
            for step in (
                room.life.transcript(visitor, conversation, "v@x.test"),
                room.life.resolve(conversation.id, by="agent", agent=room.agent),
            )
        )
    )
    mailed = sorted(row.conversation_id or "" for row in await transcripts(room))
    assert mailed == sorted(conversation.id for conversation in conversations)


# --- through the visitor's socket, with the app's own mail worker ----------------------------


@dataclass
class MailSite:
    url: str
    sink: MailSink


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[MailSite]:
    async with smtp_sink() as sink:
        port = free_port()
        configured = settings.with_overrides(
            smtp_url=sink.url, mail_from="help@shop.test", public_url=f"http://127.0.0.1:{port}"
        )
        async with serving(configured, port) as live:
            yield MailSite(live.url, sink)


async def test_the_widget_frame_asks_and_the_agents_resolve_sends_it(
    site: MailSite, make_agent: Callable[..., Awaitable[str]]
) -> None:
    token = await new_visitor(site.url, name="Vera")
    visitor, _ = await visitor_client(site.url, token)
    await visitor.say("Where is my parcel?")
    await visitor.send({"type": "handoff"})
    status = await visitor.expect("status", status="queued")
    conversation_id = status["conversation_id"]
    await visitor.send({"type": "transcript", "email": "vera\r\nbcc@example.com"})
    refused = await visitor.expect("error")
    assert refused["code"] == "invalid_frame"
    await visitor.send({"type": "transcript"})  # no address given yet
    assert (await visitor.expect("error"))["code"] == "no_email"
    await visitor.send({"type": "transcript", "email": "vera@example.com"})
    await visitor.expect(
        "message",
        text="We will email the transcript to vera@example.com when this conversation is resolved.",
    )

    email = await make_agent("Ann")
    agent, _ = await agent_client(site.url, await agent_token(site.url, email, PASSWORD))
    await agent.send({"type": "accept", "conversation_id": conversation_id})
    await agent.send(
        {
            "type": "message",
            "conversation_id": conversation_id,
            "client_id": "a1",
            "text": "It left the depot this morning.",
        }
    )
    await agent.expect("ack", client_id="a1")
    await agent.send({"type": "resolve", "conversation_id": conversation_id})
    await visitor.expect("status", status="resolved")

    (mail,) = await site.sink.wait_for(1)
    assert mail.recipients == ["vera@example.com"]
    body = text_of(mail.message)
    assert "Where is my parcel?" in body
    assert "It left the depot this morning." in body
    await visitor.close()
    await agent.close()
