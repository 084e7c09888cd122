"""A lifecycle whose mail goes to a real SMTP server on loopback (aiosmtpd), on both databases:
what the outbox tests and the transcript tests share."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from parley import clock
from parley.config import Settings
from parley.conversation.lifecycle import Lifecycle
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Agent
from parley.mail.compose import MailComposer
from parley.mail.sender import MailSender
from parley.mail.tokens import MailTokens
from parley.mail.transport import SmtpTransport
from parley.routing.hours import parse_business_hours
from tests.support.desk import open_desk
from tests.support.smtp import MailSink, smtp_sink

HOURS = parse_business_hours("mon-fri 09:00-17:00", "UTC")


@dataclass
class Mailroom:
    db: Database
    life: Lifecycle
    sink: MailSink
    settings: Settings
    tokens: MailTokens
    agent: Agent

    def sender(self, *, lease: timedelta = timedelta(minutes=5), smtp: bool = True) -> MailSender:
        return MailSender(
            self.db,
            self.settings,
            MailComposer(self.db, self.settings, self.tokens),
            SmtpTransport(self.sink.url) if smtp else None,
            _nobody_online,
            lease=lease,
        )


async def _nobody_online() -> list[str]:
    return []


async def mailroom(db: Database) -> AsyncIterator[Mailroom]:
    settings = Settings(secret_key=secrets.token_urlsafe(16), mail_from="help@shop.test")
    life = open_desk(db, HOURS, mail_after=timedelta(minutes=5)).life
    agent = await identity_store.insert_agent(
        db, email="ann@example.com", name="Ann", password_hash="x", role="agent"
    )
    async with smtp_sink() as sink:
        yield Mailroom(db, life, sink, settings, MailTokens(settings.secret_key or ""), agent)


async def reply(room: Mailroom, conversation_id: str, text: str) -> None:
    await room.life.agent_says(
        conversation_id,
        room.agent,
        text=text,
        client_id=secrets.token_hex(4),
        attachment_ids=[],
        internal=False,
    )


def later(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    """Move Parley's clock forward (the outbox's due times and claims read it)."""
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(minutes=minutes))


async def drain(sender: MailSender) -> None:
    while await sender.drain_once():
        pass
