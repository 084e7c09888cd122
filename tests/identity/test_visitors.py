from __future__ import annotations

import pytest

from parley.db import Database
from parley.errors import BadRequest, Forbidden
from parley.identity import store
from parley.identity.visitors import VisitorProfile, expected_user_hash, register_visitor

SECRET = "site-identity-secret"


async def test_matching_user_hash_marks_the_visitor_verified(db: Database) -> None:
    profile = VisitorProfile(user_id="u-42", user_hash=expected_user_hash(SECRET, "u-42"))
    visitor = await register_visitor(db, profile, identity_secret=SECRET)
    stored = await store.visitor_by_id(db, visitor.id)
    assert stored is not None
    assert stored.verified
    assert stored.user_id == "u-42"


async def test_wrong_user_hash_is_forbidden_and_stores_nothing(db: Database) -> None:
    profile = VisitorProfile(name="Mallory", user_id="u-42", user_hash="0" * 64)
    with pytest.raises(Forbidden):
        await register_visitor(db, profile, identity_secret=SECRET)
    with pytest.raises(Forbidden):  # hash computed for someone else
        await register_visitor(
            db,
            VisitorProfile(user_id="u-1", user_hash=expected_user_hash(SECRET, "u-42")),
            identity_secret=SECRET,
        )


async def test_anonymous_visitor_keeps_what_the_widget_told(db: Database) -> None:
    profile = VisitorProfile(
        name="Vera", page_url="https://shop.example/pricing", attributes={"plan": "Solo", "n": 3}
    )
    visitor = await register_visitor(db, profile, identity_secret=None)
    stored = await store.visitor_by_id(db, visitor.id)
    assert stored is not None
    assert (stored.name, stored.verified, stored.attributes) == ("Vera", False, profile.attributes)


async def test_oversized_attributes_are_refused(db: Database) -> None:
    with pytest.raises(BadRequest):
        await register_visitor(
            db, VisitorProfile(attributes={"k": "x" * 5000}), identity_secret=None
        )
    with pytest.raises(BadRequest):
        await register_visitor(
            db, VisitorProfile(attributes={"nested": {"a": 1}}), identity_secret=None
        )
