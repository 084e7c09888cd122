"""Handing a mail to the SMTP server named by ``PARLEY_SMTP_URL``, over one kept connection."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

SMTP_TIMEOUT_SECONDS = 30.0


class Transport(Protocol):
    async def send(self, message: EmailMessage, recipient: str) -> None: ...
    async def close(self) -> None: ...


class Rejected(Exception):
    """The server refused this mail for good (5xx): retrying cannot help."""


class SmtpTransport:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            use_tls=self._implicit_tls,
            start_tls=None,  # STARTTLS when the server offers it
            username=self._username,
            password=self._password,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        await client.connect()
        self._client = client
        return client

    async def send(self, message: EmailMessage, recipient: str) -> None:
        client = await self._connected()
        try:
            await client.send_message(message, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise Rejected(str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise Rejected(f"{exc.code} {exc.message}") from exc
            await self.close()
            raise
        except aiosmtplib.SMTPException:
            await self.close()
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()
