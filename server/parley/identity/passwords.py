"""Argon2 password hashing, run off the event loop (one hash costs tens of milliseconds)."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 8


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``None`` (no such agent) never matches."""
    try:
        checked = password_hash if password_hash else await asyncio.to_thread(_decoy_hash)
        matched = await asyncio.to_thread(_hasher.verify, checked, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched) and password_hash is not None


@cache
def _decoy_hash() -> str:
    """Checked when the email is unknown, so a wrong email costs as long as a wrong password.
    Made on first need, not on import: every ``parley`` command imports this module."""
    return _hasher.hash("parley-decoy-password")
