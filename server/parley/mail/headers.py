"""Mail headers from values people typed (names, subjects): refused when they could inject.

A visitor's name or an agent's words reach the To display name and the Subject; a line break
there would let them add headers (``Bcc:``) to a mail Parley sends. Such a value is refused,
never cleaned up silently, and the mail is marked failed with the reason.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from parley import clock
from parley.errors import BadRequest

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


class HeaderInjection(BadRequest):
    def __init__(self) -> None:
        super().__init__(
            "a mail header may not contain line breaks or control characters",
            code="header_injection",
        )


def check_header(value: str) -> str:
    if _UNSAFE.search(value):
        raise HeaderInjection
    return value


def build_message(
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    recipient_name: str,
    subject: str,
    text_body: str,
    html_body: str,
    reply_to: str | None,
    message_id: str,
) -> EmailMessage:
    """A multipart/alternative mail (plain text first, HTML second)."""
    for value in (sender, sender_name, recipient, recipient_name, subject, reply_to or ""):
        check_header(value)
    message = EmailMessage()
    message["From"] = Address(display_name=sender_name, addr_spec=sender)
    message["To"] = Address(display_name=recipient_name, addr_spec=recipient)
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id
    if reply_to:
        message["Reply-To"] = reply_to
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    return message
