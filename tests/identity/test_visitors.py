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


async def test_a_verified_user_returning_is_the_same_visitor(db: Database) -> None:
    user_hash = expected_user_hash(SECRET, "u-77")
    first = await register_visitor(
        db, VisitorProfile(user_id="u-77", user_hash=user_hash, name="Ola"), identity_secret=SECRET
    )
    again = await register_visitor(
        db,
        VisitorProfile(user_id="u-77", user_hash=user_hash, page_url="https://x.example/billing"),
        identity_secret=SECRET,
    )
    assert again.id == first.id
    assert (again.name, again.page_url) == ("Ola", "https://x.example/billing")


async def test_an_unverified_user_id_never_links_to_a_verified_visitor(db: Database) -> None:
    verified = await register_visitor(
        db,
        VisitorProfile(user_id="u-9", user_hash=expected_user_hash(SECRET, "u-9")),
        identity_secret=SECRET,
    )
    impostor = await register_visitor(db, VisitorProfile(user_id="u-9"), identity_secret=None)
    assert impostor.id != verified.id
    assert not impostor.verified
