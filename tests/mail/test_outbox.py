"""The outbox on both databases: written with the change that causes it, claimed by one worker
only, retried with backoff, never lost when a sender dies, refused when a header could inject."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from parley import clock
from parley.conversation import store
from parley.conversation.store.history import Change, Moment, apply
from parley.identity import store as identity_store
from parley.mail import store as outbox
from parley.mail.store import OutgoingMail
from tests.mail.mailroom import Mailroom, drain, later, reply
from tests.support.factories import new_conversation
from tests.support.smtp import text_of


async def test_replies_read_in_the_widget_are_not_mailed(
    room: Mailroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = await new_conversation(room.db, status="queued", email="v@x.test")
    await reply(room, conversation.id, "Answer")
    replied = await store.conversation_by_id(room.db, conversation.id)
    assert replied is not None  # the visitor's widget reads up to the reply:
    await store.update_conversation(room.db, conversation.id, visitor_read_seq=replied.last_seq)
    later(monkeypatch, 6)
    sender = room.sender()
    await drain(sender)
    assert room.sink.received == []
    (row,) = await outbox.recent(room.db)
    assert (row.status, row.last_error) == (
        "cancelled",
        "the visitor saw the replies in the widget",
    )
    await sender.close()


async def test_a_mail_is_written_with_its_change_or_not_at_all(room: Mailroom) -> None:
    conversation = await new_conversation(room.db, status="queued")
    notice = OutgoingMail("rating_request", conversation_id=conversation.id, data={"episode": 1})
    refused = await apply(
        room.db,
        conversation.id,
        Change(moments=(Moment("resolved"),), only_if_status=("resolved",), mails=(notice,)),
    )
    assert refused is None
    assert await outbox.recent(room.db) == []
    with pytest.raises(RuntimeError):  # the change's transaction fails after the mail's insert
        async with room.db.transaction() as conn:
            await outbox.enqueue_in(conn, [notice])
            raise RuntimeError("crash before commit")
    assert await outbox.recent(room.db) == []


async def test_a_sender_that_died_after_claiming_loses_nothing(
    room: Mailroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = await new_conversation(room.db, status="queued", email="v@x.test")
    await reply(room, conversation.id, "Committed before the crash")
    later(monkeypatch, 6)
    crashed = room.sender(lease=timedelta(minutes=1))
    claimed = await outbox.claim(
        room.db, crashed.worker, limit=10, lease=crashed.lease, include_held=True
    )
    assert len(claimed) == 1  # ...and the process dies before sending
    survivor = room.sender()
    await drain(survivor)
    assert room.sink.received == []  # the lease still holds: no second sender meanwhile

    later(monkeypatch, 8)  # the dead sender's lease ran out
    await drain(survivor)
    (mail,) = await room.sink.wait_for(1)
    assert "Committed before the crash" in text_of(mail.message)
    assert not await outbox.finish(room.db, claimed[0].id, crashed.worker, status="failed")
    await survivor.close()


async def test_concurrent_senders_never_send_a_mail_twice(room: Mailroom) -> None:
    conversations = [
        await new_conversation(room.db, status="queued", email=f"v{n}@x.test") for n in range(40)
    ]
    await outbox.enqueue(
        room.db,
        [
            OutgoingMail("rating_request", conversation_id=c.id, data={"episode": 1})
            for c in conversations
        ],
    )
    for c in conversations:
        await store.update_conversation(room.db, c.id, status="resolved")
    senders = [room.sender() for _ in range(4)]
    await asyncio.gather(*(drain(sender) for sender in senders))
    received = await room.sink.wait_for(40)
    await asyncio.sleep(0.2)
    assert sorted(r.recipients[0] for r in received) == sorted(f"v{n}@x.test" for n in range(40))
    assert (await outbox.counts(room.db)) == {"sent": 40}
    for sender in senders:
        await sender.close()


async def test_a_refusing_server_means_a_retry_later(
    room: Mailroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = await new_conversation(room.db, status="queued", email="v@x.test")
    await reply(room, conversation.id, "Answer")
    later(monkeypatch, 6)
    room.sink.refuse_with = "451 4.3.0 try again later"
    sender = room.sender()
    await drain(sender)
    (row,) = await outbox.recent(room.db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at > clock.now()
    assert "451" in (row.last_error or "")

    room.sink.refuse_with = None
    later(monkeypatch, 8)
    await drain(sender)
    (mail,) = await room.sink.wait_for(1)
    assert "Answer" in text_of(mail.message)
    await sender.close()


@pytest.mark.parametrize(
    "name",
    ["Eve\r\nBcc: victim@example.com", "Eve\nBcc: victim@example.com", "Eve\u2028Bcc: x@y.test"],
)
async def test_a_name_that_would_inject_a_header_is_refused(
    room: Mailroom, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    conversation = await new_conversation(room.db, status="queued", name=name, email="v@x.test")
    await reply(room, conversation.id, "Answer")
    later(monkeypatch, 6)
    sender = room.sender()
    await drain(sender)
    await asyncio.sleep(0.2)
    assert room.sink.received == []
    (row,) = await outbox.recent(room.db)
    assert row.status == "failed"
    assert "line breaks" in (row.last_error or "")
    await sender.close()


async def test_with_no_mail_server_the_mail_is_held_and_readable(
    room: Mailroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = await new_conversation(room.db, status="queued", email="v@x.test")
    await reply(room, conversation.id, "Answer kept for the console")
    later(monkeypatch, 6)
    await drain(room.sender(smtp=False))
    (row,) = await outbox.recent(room.db)
    assert row.status == "held"
    assert row.recipient == "v@x.test"
    assert "Answer kept for the console" in (row.text_body or "")

    configured = room.sender()  # PARLEY_SMTP_URL set later: the held mail goes out
    await drain(configured)
    (mail,) = await room.sink.wait_for(1)
    assert "Answer kept for the console" in text_of(mail.message)
    await configured.close()


async def test_agents_hear_of_a_conversation_waiting_with_nobody_online(
    room: Mailroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = await identity_store.insert_agent(
        room.db, email="quiet@example.com", name="Quiet", password_hash="x", role="agent"
    )
    await outbox.set_agent_mail(room.db, quiet.id, False)
    conversation = await new_conversation(room.db, name="Vera")
    await room.life.handoff(conversation, "asked")
    sender = room.sender()
    await sender.queue_waiting_mail()
    await drain(sender)
    assert room.sink.received == []  # not waiting long enough yet

    later(monkeypatch, room.settings.mail_waiting_minutes + 1)
    await sender.queue_waiting_mail()
    await sender.queue_waiting_mail()  # checked again: still one mail per agent
    await drain(sender)
    (mail,) = await room.sink.wait_for(1)
    await asyncio.sleep(0.2)
    assert len(room.sink.received) == 1
    assert mail.recipients == ["ann@example.com"]
    assert "Vera" in text_of(mail.message)
    await sender.close()
