"""A visitor's reply by mail, into their conversation: parse, check the token, strip, post.

The conversation is named only by the signed reply address (``reply+<token>@``): a wrong,
forged or altered token, or a mail to any other address, is refused before anything is stored.
Quoted history and signatures are cut with ``mailparser_reply``; images go through the media
pipeline like an upload (type from the bytes, re-encoded, metadata gone). The reply is posted
through ``Lifecycle.visitor_says`` marked ``via="email"``, so it reaches the agents' consoles
live and reopens a resolved conversation like any message; a mail delivered twice (same
Message-ID) is stored once.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import nh3
from mailparser_reply import EmailReplyParser

from parley.conversation.lifecycle import Lifecycle
from parley.conversation.protocol import MAX_TEXT
from parley.conversation.store import Appended
from parley.errors import BadRequest, Forbidden, ParleyError, PayloadTooLarge
from parley.identity import store as identity_store
from parley.mail.tokens import MailTokens
from parley.media import MediaService, Party
from parley.media.uploads import ReceivedForm

MAX_MAIL_BYTES = 25 * 1024 * 1024
MAX_IMAGES = 10
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
QUOTE_LANGUAGES = ["en", "pl", "de", "fr", "es", "it", "nl"]


@dataclass(frozen=True)
class ParsedReply:
    conversation_id: str
    text: str
    images: list[bytes]
    client_id: str


def parse_reply(raw: bytes, recipients: Iterable[str], tokens: MailTokens) -> ParsedReply:
    """The reply a raw RFC 822 message carries, for the conversation its address names."""
    if len(raw) > MAX_MAIL_BYTES:
        raise PayloadTooLarge("the mail is too large")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    conversation_id = _conversation(message, recipients, tokens)
    text = _new_text(message)
    images = [
        payload
        for part in message.iter_attachments()
        if part.get_content_maintype() == "image"
        and isinstance(payload := part.get_payload(decode=True), bytes)
    ][:MAX_IMAGES]
    inline = [
        payload
        for part in message.walk()
        if part.get_content_maintype() == "image"
        and part.get_content_disposition() == "inline"
        and isinstance(payload := part.get_payload(decode=True), bytes)
    ]
    images = list(dict.fromkeys(images + inline))[:MAX_IMAGES]
    if not text and not images:
        raise BadRequest("the mail holds no reply above the quoted text", code="empty_reply")
    identity = str(message.get("Message-ID") or "").strip() or hashlib.sha256(raw).hexdigest()
    client_id = "mail:" + hashlib.sha256(identity.encode()).hexdigest()[:40]
    return ParsedReply(conversation_id, text[:MAX_TEXT], images, client_id)


def _conversation(message: EmailMessage, recipients: Iterable[str], tokens: MailTokens) -> str:
    addresses = list(recipients)
    for header in RECIPIENT_HEADERS:
        addresses += [address for _name, address in getaddresses(message.get_all(header, []))]
    found = {tokens.conversation_of_address(address) for address in addresses} - {None}
    if len(found) != 1:
        raise Forbidden("not addressed to a valid reply address", code="bad_reply_token")
    return str(found.pop())


def _new_text(message: EmailMessage) -> str:
    """The words above the quote and the signature, from the plain part (or the HTML's text)."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if not isinstance(content, str):
        return ""
    if body.get_content_subtype() == "html":
        content = html.unescape(nh3.clean(content.replace("<br", "\n<br"), tags=set()))
    parsed = EmailReplyParser(languages=QUOTE_LANGUAGES).parse_reply(text=content)
    return (parsed or "").strip()


class InboundMail:
    """Replies into conversations, whichever door they came through (SMTP, LMTP, HTTP)."""

    def __init__(self, lifecycle: Lifecycle, media: MediaService, tokens: MailTokens) -> None:
        self.lifecycle = lifecycle
        self.media = media
        self.tokens = tokens

    def accepts(self, address: str) -> bool:
        """Whether a mail to ``address`` would be taken (the listener's RCPT check)."""
        return self.tokens.conversation_of_address(address) is not None

    async def receive(self, raw: bytes, recipients: Iterable[str] = ()) -> Appended:
        reply = parse_reply(raw, recipients, self.tokens)
        conversation = await self.lifecycle.conversation(reply.conversation_id)
        visitor = await identity_store.visitor_by_id(self.lifecycle.db, conversation.visitor_id)
        if visitor is None:
            raise Forbidden("not addressed to a valid reply address", code="bad_reply_token")
        attachment_ids = [
            attachment_id
            for image in reply.images
            if (attachment_id := await self._store_image(image, conversation.id, visitor.id))
        ]
        if not reply.text and not attachment_ids:
            raise BadRequest("the mail holds no reply above the quoted text", code="empty_reply")
        return await self.lifecycle.visitor_says(
            visitor,
            conversation.id,
            text=reply.text,
            client_id=reply.client_id,
            attachment_ids=attachment_ids,
            via="email",
        )

    async def _store_image(self, data: bytes, conversation_id: str, visitor_id: str) -> str | None:
        """The image as an attachment of the conversation; None if the pipeline refuses it."""
        if len(data) > self.media.max_bytes:
            return None
        path = await asyncio.to_thread(self._spool, data)
        try:
            form = ReceivedForm({"conversation_id": conversation_id}, path, len(data))
            stored = await self.media.upload(form, Party("visitor", visitor_id))
            return str(stored["attachment_id"])
        except ParleyError:  # not an image Parley accepts (SVG, too many pixels): text only
            return None
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    def _spool(self, data: bytes) -> Path:
        self.media.spool_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.media.spool_dir, delete=False) as spooled:
            spooled.write(data)
        return Path(spooled.name)
