"""A real SMTP server in the test's process (aiosmtpd on loopback) that keeps what it receives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.live_server import free_port


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailSink:
    port: int
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    refuse_with: str | None = None  # e.g. "451 try later": the next mails are refused so
    # While set, DATA never answers: the sender is mid-send (``stalled`` says one is waiting).
    stall: bool = False
    stalled: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.stall:
            self.stalled.set()
            await asyncio.Event().wait()  # until the client goes away (the handler is cancelled)
        if self.refuse_with:
            return self.refuse_with
        raw = envelope.original_content or b""
        parsed = message_from_bytes(bytes(raw), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        self.arrived.set()
        return "250 OK"

    async def wait_for(self, count: int, within: float = 30.0) -> list[Received]:
        """Block until ``count`` mails have arrived in all."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.received) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"{len(self.received)} mails arrived, expected {count}")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                continue
        return self.received


@asynccontextmanager
async def smtp_sink() -> AsyncIterator[MailSink]:
    sink = MailSink(free_port())
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test"), host="127.0.0.1", port=sink.port
    )
    try:
        yield sink
    finally:
        server.close()
        await server.wait_closed()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content
