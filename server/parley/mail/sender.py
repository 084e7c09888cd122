"""The outbox worker: claim due rows, compose, send, record; retry with backoff.

Every process runs one. A claim is a lease (``store.claim``), so several processes never send
the same row, and a row whose process died comes back when its lease runs out. With no mail
server configured, mails are composed and held: the console shows what would be sent, and they
go out once ``PARLEY_SMTP_URL`` is set. The worker also notices conversations waiting with
nobody online and queues the agents' mail about them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiosmtplib

from parley import clock
from parley.config import Settings
from parley.db import Database
from parley.errors import BadRequest
from parley.mail import store
from parley.mail.compose import Cancel, MailComposer
from parley.mail.headers import build_message
from parley.mail.store import MAX_ATTEMPTS, OutboxRow, OutgoingMail
from parley.mail.transport import Rejected, Transport

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
WAITING_CHECK_SECONDS = 30.0
BATCH = 50
LEASE = timedelta(minutes=5)
SENDER_NAME = "Support"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most an hour between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class MailSender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        composer: MailComposer,
        transport: Transport | None,
        online_agent_ids: Callable[[], Awaitable[list[str]]],
        *,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.settings = settings
        self.composer = composer
        self.transport = transport
        self._online_agent_ids = online_agent_ids
        self.lease = lease
        self.worker = f"wrk_{secrets.token_hex(6)}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something may be due now (a test, a reply posted): look without waiting the poll."""
        self._wake.set()

    async def run(self) -> None:
        checked_waiting = -WAITING_CHECK_SECONDS
        while True:
            try:
                if time.monotonic() - checked_waiting >= WAITING_CHECK_SECONDS:
                    checked_waiting = time.monotonic()
                    await self.queue_waiting_mail()
                while await self.drain_once():
                    pass
            except Exception:
                logger.exception("the mail worker failed; trying again shortly")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def drain_once(self) -> int:
        """Claim and handle one batch of due mail; how many rows it had."""
        rows = await store.claim(
            self.db,
            self.worker,
            limit=BATCH,
            lease=self.lease,
            include_held=self.transport is not None,
        )
        sent = [row.id for row in rows if await self.handle(row)]
        await store.finish_sent(self.db, sent, self.worker)
        return len(rows)

    async def handle(self, row: OutboxRow) -> bool:
        """Compose (if not yet) and send one claimed row; True when the server took it (the
        batch is recorded sent together), False when it ended otherwise (recorded here)."""
        try:
            if not row.composed:
                composed = await self.composer.compose(row)
                if isinstance(composed, Cancel):
                    await store.finish(
                        self.db, row.id, self.worker, status="cancelled", error=composed.reason
                    )
                    return False
                message_id = f"<{row.id}@{self.composer.domain}>"
                saved = await store.save_composed(self.db, row, self.worker, composed, message_id)
                if saved is None:
                    return False  # the lease ran out and another process has it now
                row = saved
            if self.transport is None:
                await store.finish(
                    self.db,
                    row.id,
                    self.worker,
                    status="held",
                    error="no PARLEY_SMTP_URL: held in the outbox",
                )
                return False
            message = build_message(
                sender=self.settings.mail_from,
                sender_name=SENDER_NAME,
                recipient=row.recipient or "",
                recipient_name=str(row.data.get("to_name", "")),
                subject=row.subject or "",
                text_body=row.text_body or "",
                html_body=row.html_body or "",
                reply_to=row.reply_to,
                message_id=row.message_id or f"<{row.id}@{self.composer.domain}>",
            )
            await self.transport.send(message, row.recipient or "")
        except (BadRequest, Rejected) as refused:  # header injection, 5xx: never retried
            logger.warning("mail %s refused: %s", row.id, refused)
            await store.finish(self.db, row.id, self.worker, status="failed", error=str(refused))
            return False
        except (aiosmtplib.SMTPException, OSError) as exc:
            spent = row.attempts >= MAX_ATTEMPTS
            await store.finish(
                self.db,
                row.id,
                self.worker,
                status="failed" if spent else "pending",
                error=str(exc) or type(exc).__name__,
                retry_at=None if spent else clock.now() + backoff(row.attempts),
            )
            return False
        return True

    async def queue_waiting_mail(self) -> None:
        """Mail every agent who wants it about conversations waiting too long, nobody online."""
        if await self._online_agent_ids():
            return
        before = clock.now() - timedelta(minutes=self.settings.mail_waiting_minutes)
        waiting = await store.waiting_since(self.db, before)
        if not waiting:
            return
        agent_ids = await store.mailable_agent_ids(self.db)
        await store.enqueue(
            self.db,
            [
                OutgoingMail(
                    "waiting",
                    conversation_id=conversation_id,
                    agent_id=agent_id,
                    dedupe_key=f"waiting:{conversation_id}:{episode}:{agent_id}",
                )
                for conversation_id, episode in waiting
                for agent_id in agent_ids
            ],
        )

    async def close(self) -> None:
        if self.transport is not None:
            await self.transport.close()
