"""The outbox drained into a real SMTP server on loopback, beside a bare aiosmtplib loop.

Fills the outbox (SQLite, the embedded default) with N composed mails and lets Parley's
worker drain it into an in-process aiosmtpd server that counts what arrives: claim a batch under
a lease, build each message, send it over one kept connection, record it sent. The baseline, in
the same run against the same server: a bare loop sending the same N messages over one
aiosmtplib connection, no database at all. The claim is the ratio of the rates, and that the
worker's memory stays bounded: its peak traced allocation while draining N mails is about the
same as while draining N/10 (it holds one batch, never the outbox). Both run under tracemalloc
(which slows Python down), so the ratio compares like with like. Every mail must arrive
exactly once, or the script fails.

Run: ``.venv/bin/python benchmarks/mail.py`` (10,000 mails: the figure docs/mail.md quotes;
``--mails N`` for another count, ``--mails 500`` for a quick look that proves nothing about
speed). Every tally the receiving server keeps is allocated before the drains are traced.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import re
import tempfile
import time
import tracemalloc
from array import array
from email.message import EmailMessage
from importlib.metadata import version
from pathlib import Path

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from _report import commit_measured, print_table
from parley.config import Settings
from parley.db import Database
from parley.mail import store
from parley.mail.compose import MailComposer
from parley.mail.headers import build_message
from parley.mail.sender import MailSender
from parley.mail.store import OutgoingMail
from parley.mail.tokens import MailTokens
from parley.mail.transport import SmtpTransport

CHUNK = 1000
RECIPIENT = re.compile(r"(?P<tag>[a-z]+)(?P<n>\d+)@example\.test$")


class Counter:
    """The receiving server's handler: how often each recipient (``<tag><n>@…``) arrived.

    The tallies are allocated up front, before any drain is traced: the receiving side shares
    the process, and a tally that grew with every mail would count against the worker's memory.
    """

    def __init__(self, sizes: dict[str, int]) -> None:
        self.received = {tag: array("I", bytes(4 * size)) for tag, size in sizes.items()}
        self.unexpected = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        for recipient in envelope.rcpt_tos:
            found = RECIPIENT.match(recipient)
            if found and found["tag"] in self.received:
                self.received[found["tag"]][int(found["n"])] += 1
            else:
                self.unexpected += 1
        return "250 OK"

    def exactly_once(self, tag: str) -> bool:
        return set(self.received[tag]) == {1}


async def nobody_online() -> list[str]:
    return []


async def fill(db: Database, composer: MailComposer, count: int, tag: str) -> None:
    for start in range(0, count, CHUNK):
        await store.enqueue(
            db,
            [
                OutgoingMail(
                    "test",
                    composed=composer.test_mail(f"{tag}{n}@example.test", f"Visitor {n}"),
                )
                for n in range(start, min(start + CHUNK, count))
            ],
        )


async def drain(sender: MailSender) -> tuple[float, int]:
    """Seconds to empty the outbox, and the peak bytes traced meanwhile."""
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    started = time.perf_counter()
    while await sender.drain_once():
        pass
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    return seconds, peak - before


async def bare_loop(port: int, composer: MailComposer, count: int) -> float:
    """The same messages over one aiosmtplib connection, nothing else."""
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    started = time.perf_counter()
    for n in range(count):
        words = composer.test_mail(f"bare{n}@example.test", f"Visitor {n}")
        message: EmailMessage = build_message(
            sender="help@parley.test", sender_name="Support", recipient=words.recipient,
            recipient_name=f"Visitor {n}", subject=words.subject, text_body=words.text_body,
            html_body=words.html_body, reply_to=None, message_id=f"<bare{n}@parley.test>",
        )  # fmt: skip
        await client.send_message(message, recipients=[words.recipient])
    seconds = time.perf_counter() - started
    await client.quit()
    return seconds


async def run(count: int) -> None:
    small = max(count // 10, 1)
    counter = Counter({"small": small, "big": count, "bare": count})
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(counter), host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite+aiosqlite:///{Path(scratch) / 'parley.db'}")
        await db.upgrade()
        settings = Settings(
            data_dir=Path(scratch), secret_key="benchmark-key", mail_from="help@parley.test",
            smtp_url=f"smtp://127.0.0.1:{port}",
        )  # fmt: skip
        composer = MailComposer(db, settings, MailTokens("benchmark-key"))
        sender = MailSender(
            db, settings, composer, SmtpTransport(settings.smtp_url or ""), nobody_online
        )
        tracemalloc.start()
        await fill(db, composer, small, "small")
        small_seconds, small_peak = await drain(sender)
        await fill(db, composer, count, "big")
        big_seconds, big_peak = await drain(sender)
        bare_seconds = await bare_loop(port, composer, count)  # traced too: the same overhead
        tracemalloc.stop()
        await sender.close()
        counts = await store.counts(db)
        await db.close()
    server.close()
    await server.wait_closed()

    for tag in ("small", "big", "bare"):
        assert counter.exactly_once(tag), f"a {tag} mail was lost or sent twice"
    assert counter.unexpected == 0, "a mail nobody sent arrived"
    assert counts == {"sent": small + count}, counts

    rate, bare_rate = count / big_seconds, count / bare_seconds
    print(f"{count} mails into aiosmtpd on loopback; SQLite outbox; client and server share the")
    print(
        f"2 cores. commit: {commit_measured('server/parley')}; Python {platform.python_version()}"
    )
    print(f"aiosmtplib {version('aiosmtplib')}, aiosmtpd {version('aiosmtpd')}")
    print_table(
        ["sender", "mails", "seconds", "mails/s", "ratio to bare", "peak traced MB"],
        [
            ["bare aiosmtplib loop", str(count), f"{bare_seconds:.1f}", f"{bare_rate:.0f}",
             "1.00", "-"],
            ["Parley outbox worker", str(small), f"{small_seconds:.1f}",
             f"{small / small_seconds:.0f}", f"{small / small_seconds / bare_rate:.2f}",
             f"{small_peak / 1e6:.1f}"],
            ["Parley outbox worker", str(count), f"{big_seconds:.1f}", f"{rate:.0f}",
             f"{rate / bare_rate:.2f}", f"{big_peak / 1e6:.1f}"],
        ],
    )  # fmt: skip
    print(
        f"\nworker memory, {count} mails against {small}: peak traced "
        f"{big_peak / max(small_peak, 1):.2f}x (bounded: about 1, not {count / small:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mails", type=int, default=10_000, help="mails the worker drains (default 10,000)"
    )
    asyncio.run(run(parser.parse_args().mails))


if __name__ == "__main__":
    main()
