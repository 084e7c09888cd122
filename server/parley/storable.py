"""What text the databases can store. PostgreSQL refuses the NUL character in any text value
(SQLite keeps it), so the edges refuse it before it reaches a query: one clear answer on both
backends instead of a server error on one of them."""

from __future__ import annotations

NUL = "\x00"
NUL_REFUSED = "text may not contain the NUL character"


def holds_nul(value: object) -> bool:
    """Whether a decoded JSON value holds a NUL in any string, key or nested value."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False
