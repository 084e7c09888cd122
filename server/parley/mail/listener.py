"""The built-in SMTP/LMTP listener a local MTA relays replies to (``PARLEY_MAIL_LISTEN``).

It runs on the app's event loop (aiosmtpd's protocol, served by ``loop.create_server``), so a
reply goes straight into ``InboundMail.receive``. A recipient that is not a valid reply address
is refused at RCPT (550), before any data is read; a reply Parley cannot take gets a permanent
error, so the MTA bounces it to the sender instead of retrying.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from parley.errors import ParleyError
from parley.mail.inbound import MAX_MAIL_BYTES, InboundMail

logger = logging.getLogger(__name__)


class _Handler:
    def __init__(self, inbound: InboundMail) -> None:
        self.inbound = inbound

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.inbound.accepts(address):
            return "550 5.1.1 no such reply address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            await self.inbound.receive(bytes(raw), envelope.rcpt_tos)
        except ParleyError as refused:
            return f"550 5.6.0 {refused.message}"
        except Exception:
            logger.exception("an inbound reply could not be stored")
            return "451 4.3.0 try again later"
        return "250 Message accepted"


async def listen(url: str, inbound: InboundMail) -> asyncio.Server:
    """Serve ``smtp://host:port`` or ``lmtp://host:port`` until the server is closed."""
    parts = urlsplit(url)
    protocol: Any = LMTP if parts.scheme == "lmtp" else SMTP
    handler = _Handler(inbound)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: protocol(handler, data_size_limit=MAX_MAIL_BYTES, decode_data=False),
        host=parts.hostname,
        port=parts.port or 25,
        reuse_port=True,  # `parley serve --workers N`: every worker listens, the kernel shares
    )
