"""Storage: the async engine, every table, and the migrations that create them."""

from parley.db.engine import Database

__all__ = ["Database"]
