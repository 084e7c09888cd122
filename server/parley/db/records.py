"""Rows into the stores' frozen dataclasses, the same way everywhere.

SQLite hands back naive datetimes; everything Parley stores is UTC, so each datetime is made
aware on the way out, whichever database answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy.engine import RowMapping

from parley import clock

RecordT = TypeVar("RecordT")


def record(cls: type[RecordT], row: RowMapping | Mapping[str, Any]) -> RecordT:
    """The dataclass ``cls`` built from the row's columns of the same names."""
    values: dict[str, Any] = {}
    for field in fields(cast(Any, cls)):
        value = row[field.name]
        values[field.name] = clock.as_utc(value) if isinstance(value, datetime) else value
    return cls(**values)
