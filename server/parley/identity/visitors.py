"""Visitors: anonymous by default, verified when the site vouches for them with ``user_hash``."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from parley.db import Database
from parley.errors import BadRequest, Forbidden
from parley.identity import store
from parley.identity.store import Visitor

_MAX_ATTRIBUTES = 50
_MAX_TEXT = 2000


@dataclass(frozen=True)
class VisitorProfile:
    """What a widget may tell about its visitor; every field optional."""

    name: str | None = None
    email: str | None = None
    locale: str | None = None
    page_url: str | None = None
    referrer: str | None = None
    user_agent: str | None = None
    attributes: dict[str, Any] | None = None
    user_id: str | None = None
    user_hash: str | None = None


def expected_user_hash(identity_secret: str, user_id: str) -> str:
    return hmac.new(identity_secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def _check_profile(profile: VisitorProfile) -> None:
    for field_name in ("name", "email", "locale", "page_url", "referrer", "user_agent", "user_id"):
        value = getattr(profile, field_name)
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_TEXT):
            raise BadRequest(f"{field_name} must be text of at most {_MAX_TEXT} characters")
    attributes = profile.attributes or {}
    if not isinstance(attributes, dict) or len(attributes) > _MAX_ATTRIBUTES:
        raise BadRequest(f"attributes must be an object with at most {_MAX_ATTRIBUTES} keys")
    for key, value in attributes.items():
        if len(key) > 100 or not isinstance(value, str | int | float | bool | None):
            raise BadRequest(f"attribute {key[:100]!r} must be a short name with a plain value")
        if isinstance(value, str) and len(value) > _MAX_TEXT:
            raise BadRequest(f"attribute {key[:100]!r} is longer than {_MAX_TEXT} characters")


async def register_visitor(
    db: Database, profile: VisitorProfile, *, identity_secret: str | None
) -> Visitor:
    """Store a visitor; a ``user_hash`` that does not match the ``user_id`` is refused (403)."""
    _check_profile(profile)
    verified = False
    if profile.user_hash is not None:
        if not profile.user_id:
            raise BadRequest("user_hash needs the user_id it was computed from")
        if not identity_secret:
            raise Forbidden("identity verification is not configured on this server")
        expected = expected_user_hash(identity_secret, profile.user_id)
        if not hmac.compare_digest(expected, profile.user_hash.strip().lower()):
            raise Forbidden("user_hash does not match user_id", code="bad_user_hash")
        verified = True
    elif profile.user_id is not None and identity_secret:
        raise Forbidden("this site requires a user_hash with every user_id", code="bad_user_hash")
    if verified and profile.user_id:
        known = await store.verified_visitor_by_user_id(db, profile.user_id)
        if known is not None:  # the same person again: their conversations come with them
            told = {
                name: getattr(profile, name)
                for name in ("name", "email", "locale", "page_url", "referrer", "user_agent")
                if getattr(profile, name) is not None
            }
            attributes = {**known.attributes, **(profile.attributes or {})}
            await store.refresh_visitor(db, known.id, attributes=attributes, **told)
            refreshed = await store.visitor_by_id(db, known.id)
            assert refreshed is not None
            return refreshed
    return await store.insert_visitor(
        db,
        name=profile.name,
        email=profile.email,
        locale=profile.locale,
        page_url=profile.page_url,
        referrer=profile.referrer,
        user_agent=profile.user_agent,
        attributes=dict(profile.attributes or {}),
        user_id=profile.user_id,
        verified=verified,
    )
