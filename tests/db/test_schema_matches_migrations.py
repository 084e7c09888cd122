"""A database migrated to head is exactly what ``db/schema.py`` says, on SQLite and PostgreSQL.

The code builds its statements from ``schema.py`` while every real database is made by the
migrations; if the two drift, a fresh install and an upgraded one differ, or a column the code
writes does not exist. Alembic's autogenerate comparison finds any table, column, type, server
default, index, unique constraint or foreign key that one has and the other lacks.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Integer, MetaData, Table

from parley.db import Database
from parley.db.engine import alembic_config
from parley.db.schema import metadata

_SEARCH_MIGRATION = ScriptDirectory.from_config(alembic_config()).get_revision("0005")
assert _SEARCH_MIGRATION is not None

# Migration 0005's conversation search indexes live outside the MetaData on purpose: the
# SQLAlchemy Table cannot say "GIN with gin_trgm_ops, only if pg_trgm could be created" nor
# describe an FTS5 virtual table kept by triggers (triggers are not compared at all).
SEARCH_TRIGRAM_INDEXES = frozenset(name for name, _, _ in _SEARCH_MIGRATION.module.TRIGRAM_INDEXES)
SEARCH_FTS_TABLE = "messages_search"
# The tables SQLite's FTS5 makes for it (https://sqlite.org/fts5.html, "shadow tables").
SEARCH_FTS_TABLES = frozenset(
    {SEARCH_FTS_TABLE}
    | {f"{SEARCH_FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")}
)


def _not_a_deliberate_extra(
    item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave out only what migration 0005 adds beyond the MetaData, by name."""
    if reflected and compare_to is None:
        if type_ == "table" and name in SEARCH_FTS_TABLES:
            return False
        if type_ == "index" and name in SEARCH_TRIGRAM_INDEXES:
            return False
    return True


def _differences(connection: Connection, target: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": _not_a_deliberate_extra,
        },
    )
    return list(compare_metadata(context, target))


def _described(differences: list[Any]) -> list[str]:
    """One readable line per difference ("modify_default conversations bot_misses ...")."""

    def word(part: Any) -> str:
        if isinstance(part, dict):
            return ""
        for attribute in ("name", "arg"):  # a table, column or index; a server default
            value = getattr(part, attribute, None)
            if value is not None:
                return str(value)
        return str(part)

    operations = [op for d in differences for op in (d if isinstance(d, list) else [d])]
    return [
        " ".join(filter(None, (word(part) for part in op if part is not None))) for op in operations
    ]


def _with_a_column_only_schema_py_has() -> MetaData:
    drifted = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(drifted)
    Table("agents", drifted, Column("nickname_only_in_schema_py", Integer), extend_existing=True)
    return drifted


async def test_a_database_migrated_to_head_is_what_schema_py_describes(fresh_db: Database) -> None:
    await fresh_db.upgrade()
    async with fresh_db.engine.connect() as connection:
        found = await connection.run_sync(_differences, metadata)
        # and the comparison is not blind: a column schema.py alone has is reported
        drifted = await connection.run_sync(_differences, _with_a_column_only_schema_py_has())
    assert _described(found) == []
    assert _described(drifted) == ["add_column agents nickname_only_in_schema_py"]
