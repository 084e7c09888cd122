"""Argon2 password hashing, run off the event loop (one hash costs tens of milliseconds)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Checked when the email is unknown, so a wrong email costs as long as a wrong password.
_DECOY_HASH = _hasher.hash("parley-decoy-password")

MIN_PASSWORD_LENGTH = 8


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``None`` (no such agent) never matches."""
    try:
        matched = await asyncio.to_thread(_hasher.verify, password_hash or _DECOY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched) and password_hash is not None
