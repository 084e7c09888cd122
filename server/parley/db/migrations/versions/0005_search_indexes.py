"""search indexes: conversation search by substring without reading every message

PostgreSQL: pg_trgm GIN indexes on the columns the search compares with ``ILIKE`` (message
text, visitor name and email, offline email); a trigram index serves ILIKE as it is. Creating
the extension needs a superuser or, since PostgreSQL 13, CREATE on the database; without it the
indexes are skipped with a warning and search works as before, unindexed.

SQLite: an FTS5 table with the trigram tokenizer over ``messages.text`` (external content, so
the text is stored once), kept in step by triggers and filled from the messages already stored.
It is keyed by the messages' implicit rowid: a migration that rebuilds ``messages`` (batch
mode) drops these triggers and must create them again and ``'rebuild'`` the index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

logger = logging.getLogger("parley.db")

SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE messages_search USING fts5("
    "text, content='messages', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_search(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_search(messages_search, rowid, text)"
    " VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN"
    " INSERT INTO messages_search(messages_search, rowid, text)"
    " VALUES ('delete', old.rowid, old.text);"
    " INSERT INTO messages_search(rowid, text) VALUES (new.rowid, new.text); END",
    "INSERT INTO messages_search(messages_search) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER messages_search_update",
    "DROP TRIGGER messages_search_delete",
    "DROP TRIGGER messages_search_insert",
    "DROP TABLE messages_search",
)

# (index, table, column): each serves ``column ILIKE '%...%'``.
TRIGRAM_INDEXES = (
    ("ix_messages_text_trgm", "messages", "text"),
    ("ix_visitors_name_trgm", "visitors", "name"),
    ("ix_visitors_email_trgm", "visitors", "email"),
    ("ix_conversations_offline_email_trgm", "conversations", "offline_email"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
        return
    if not _created_pg_trgm():
        return
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
        return
    # The extension stays: it is database-wide, may have been there before, and costs nothing.
    for name, _table, _column in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _created_pg_trgm() -> bool:
    """Whether pg_trgm is installed now; a refusal is a warning, not a failed upgrade."""
    try:
        with op.get_bind().begin_nested():  # a failed statement would abort the whole upgrade
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        logger.warning(
            "conversation search stays unindexed: could not create the PostgreSQL extension "
            "pg_trgm (%s). docs/deployment.md says how to add the indexes later.",
            str(error.orig).strip(),
        )
        return False
    return True
