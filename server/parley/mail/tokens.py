"""Signed tokens in mails: the reply address, the rating links (and their confirm page's form),
the reopen link.

An address's local part is at most 64 characters and some mail servers change its case, so a
token is the conversation id and a truncated HMAC in lowercase base32: ``cnv_….<26 chars>``
(130 bits of signature). Each use has its own purpose in the MAC, so a rating link's signature
never works as a reply address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

REPLY_PREFIX = "reply+"
_ID = re.compile(r"^cnv_[0-9a-f]{20}$")


class MailTokens:
    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"parley.mail:" + secret_key.encode()).digest()

    def _mac(self, purpose: str, *parts: str) -> str:
        message = "\x1f".join((purpose, *parts)).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:16]
        return base64.b32encode(digest).decode().rstrip("=").lower()

    def sign(self, purpose: str, conversation_id: str, *parts: str) -> str:
        return f"{conversation_id}.{self._mac(purpose, conversation_id, *parts)}"

    def verify(self, purpose: str, token: str, *parts: str) -> str | None:
        """The conversation id the token was made for, or None (forged, altered, other use)."""
        conversation_id, _, mac = token.strip().lower().partition(".")
        if not _ID.match(conversation_id) or not mac:
            return None
        if not hmac.compare_digest(mac, self._mac(purpose, conversation_id, *parts)):
            return None
        return conversation_id

    def reply_address(self, conversation_id: str, domain: str) -> str:
        return f"{REPLY_PREFIX}{self.sign('reply', conversation_id)}@{domain}"

    def conversation_of_address(self, address: str) -> str | None:
        """The conversation a reply address belongs to, or None for any other address."""
        local, at, _domain = address.strip().strip("<>").rpartition("@")
        if not at or not local.lower().startswith(REPLY_PREFIX):
            return None
        return self.verify("reply", local[len(REPLY_PREFIX) :])

    def rating(self, conversation_id: str, episode: int, score: int) -> str:
        return self.sign("rate", conversation_id, str(episode), str(score))

    def verify_rating(self, token: str, episode: int, score: int) -> str | None:
        return self.verify("rate", token, str(episode), str(score))

    def rating_form(self, conversation_id: str, episode: int) -> str:
        """The confirm page's token: any score for this episode, so the visitor may change
        the one their click chose. Only a genuine rating link's page hands it out."""
        return self.sign("rate-form", conversation_id, str(episode))

    def verify_rating_form(self, token: str, episode: int) -> str | None:
        return self.verify("rate-form", token, str(episode))
