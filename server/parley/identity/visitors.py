"""Visitors: anonymous by default, verified when the site vouches for them with ``user_hash``."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from parley.db import Database
from parley.errors import BadRequest, Conflict, Forbidden, NotFound
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


def _verified(profile: VisitorProfile, identity_secret: str | None) -> bool:
    """Whether the profile proves its ``user_id`` (a matching ``user_hash``); 403 for a wrong
    hash, or for a ``user_id`` without one on a site that verifies identities."""
    if profile.user_hash is not None:
        if not profile.user_id:
            raise BadRequest("user_hash needs the user_id it was computed from")
        if not identity_secret:
            raise Forbidden("identity verification is not configured on this server")
        expected = expected_user_hash(identity_secret, profile.user_id)
        if not hmac.compare_digest(expected, profile.user_hash.strip().lower()):
            raise Forbidden("user_hash does not match user_id", code="bad_user_hash")
        return True
    if profile.user_id is not None and identity_secret:
        raise Forbidden("this site requires a user_hash with every user_id", code="bad_user_hash")
    return False


async def register_visitor(
    db: Database, profile: VisitorProfile, *, identity_secret: str | None
) -> Visitor:
    """Store a visitor; a ``user_hash`` that does not match the ``user_id`` is refused (403)."""
    _check_profile(profile)
    verified = _verified(profile, identity_secret)
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


async def update_visitor(
    db: Database, visitor_id: str, profile: VisitorProfile, *, identity_secret: str | None
) -> Visitor:
    """What ``Parley.identify`` tells about the visitor a token names, taken at once: name,
    email and attributes (merged over the stored ones; ``null`` stores null).

    The identity rules of registration hold: the profile names the visitor's own ``user_id``
    (a different user, or one appearing on an anonymous visitor, registers anew: 409), and a
    verified visitor's changes carry a matching ``user_hash`` (403 otherwise), so nobody but the
    host's server can change what a signed-in customer's record says (retention reads it).
    """
    _check_profile(profile)
    visitor = await store.visitor_by_id(db, visitor_id)
    if visitor is None:
        raise NotFound("this visitor no longer exists: register again", code="unknown_visitor")
    if profile.user_id != visitor.user_id:
        raise Conflict(
            "a different user registers anew (POST /api/v1/visitors)", code="identity_changed"
        )
    if not _verified(profile, identity_secret) and visitor.verified:
        raise Forbidden("a verified visitor's changes need their user_hash", code="bad_user_hash")
    attributes = {**visitor.attributes, **(profile.attributes or {})}
    if len(attributes) > _MAX_ATTRIBUTES:
        raise BadRequest(f"a visitor keeps at most {_MAX_ATTRIBUTES} attributes")
    told = {name: getattr(profile, name) for name in ("name", "email") if getattr(profile, name)}
    await store.refresh_visitor(db, visitor.id, attributes=attributes, **told)
    updated = await store.visitor_by_id(db, visitor.id)
    assert updated is not None
    return updated
