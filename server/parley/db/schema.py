"""Every table Parley stores, in one MetaData. Migrations under ``migrations/`` create them.

IDs are opaque strings made by ``new_id`` (a readable prefix plus randomness), so rows can be
created on any process without a round trip for an autoincrement value.
"""

from __future__ import annotations

import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def new_id(prefix: str) -> str:
    """An opaque, unguessable identifier such as ``cnv_4f1c0e9a2b7d``."""
    return f"{prefix}_{secrets.token_hex(10)}"


def _created_at() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False)


teams = Table(
    "teams",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("locale", String(16), nullable=True),
    _created_at(),
)

agents = Table(
    "agents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    # Bumped to revoke every token issued before (disable, password change).
    Column("token_version", Integer, nullable=False, default=1),
    Column("capacity", Integer, nullable=False, default=3),
    # When the router last gave this agent a conversation: ties go to the longest idle.
    Column("last_assigned_at", DateTime(timezone=True), nullable=True),
    _created_at(),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
)

visitors = Table(
    "visitors",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("email", String(254), nullable=True),
    Column("locale", String(16), nullable=True),
    Column("page_url", Text, nullable=True),
    Column("referrer", Text, nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("user_id", String(200), nullable=True, index=True),
    Column("verified", Boolean, nullable=False, default=False),
    _created_at(),
    Column("last_seen_at", DateTime(timezone=True), nullable=True),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("visitor_id", ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),  # bot | queued | assigned | resolved
    Column("team_id", ForeignKey("teams.id", ondelete="SET NULL"), nullable=True),
    Column("assignee_id", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    Column("locale", String(16), nullable=True),
    Column("last_seq", Integer, nullable=False, default=0),
    # Internal notes are numbered apart from what the visitor sees (docs/protocol.md).
    Column("last_note_seq", Integer, nullable=False, default=0),
    Column("visitor_read_seq", Integer, nullable=False, default=0),
    Column("agent_read_seq", Integer, nullable=False, default=0),
    # Questions the bot could not answer; the second one sends the visitor to a person.
    Column("bot_misses", Integer, nullable=False, default=0),
    Column("offline_email", String(254), nullable=True),
    Column("self_served", Boolean, nullable=True),
    Column("rating", Integer, nullable=True),
    Column("rating_comment", Text, nullable=True),
    _created_at(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=True),
    Column("assigned_at", DateTime(timezone=True), nullable=True),
    Column("first_response_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Index("ix_conversations_visitor_status", "visitor_id", "status"),
    Index("ix_conversations_status_queued", "status", "queued_at"),
    Index("ix_conversations_assignee_status", "assignee_id", "status"),
)

# Migration 0005 indexes message text for the console's search outside this MetaData: pg_trgm
# GIN indexes on PostgreSQL; on SQLite the FTS5 table ``messages_search``, keyed by the rowid and
# fed by triggers on this table (a batch migration that rebuilds it must create them again).
messages = Table(
    "messages",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    # Visible messages count 1, 2, 3...; internal notes are stored as -1, -2... and remember
    # the visible seq they follow, so a visitor never sees a gap where a note was written.
    Column("seq", Integer, nullable=False),
    Column("follows_seq", Integer, nullable=True),
    Column("client_id", String(100), nullable=True),
    Column("author_kind", String(16), nullable=False),  # visitor | agent | bot | system
    Column("author_id", String(40), nullable=True),
    Column("author_name", String(200), nullable=True),
    Column("text", Text, nullable=False),
    Column("internal", Boolean, nullable=False, default=False),
    Column("attachment_ids", JSON, nullable=False, default=list),
    # The bot's knowledge-base results, kept with its message so a replay shows them again.
    Column("suggestions", JSON, nullable=True),
    _created_at(),
    UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
    UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True),
    Column("uploader_kind", String(16), nullable=False),  # visitor | agent
    Column("uploader_id", String(40), nullable=False),
    Column("storage_key", String(200), nullable=False),
    Column("thumb_key", String(200), nullable=True),
    Column("content_type", String(40), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("frames", Integer, nullable=False, default=1),
    Column("bytes", Integer, nullable=False),
    Column("source_attachment_id", String(40), nullable=True),  # annotated copy of ...
    _created_at(),
)

saved_replies = Table(
    "saved_replies",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("shortcut", String(60), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    _created_at(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

conversation_labels = Table(
    "conversation_labels",
    metadata,
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("label", String(60), primary_key=True),
    _created_at(),
    Index("ix_conversation_labels_label", "label"),
)

# The team's list of labels (conversation_labels rows name one by its cleaned name): a colour
# from a fixed palette and a description, managed by admins, created on the fly by agents.
labels = Table(
    "labels",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("colour", String(16), nullable=False),
    Column("description", String(200), nullable=True),
    Column("created_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    _created_at(),
)

# Settings an admin edits in the console; a row overrides the environment's value for its key.
site_settings = Table(
    "site_settings",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The team's GIF and image library: an uploaded attachment (no conversation) with a title.
library_items = Table(
    "library_items",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("attachment_id", ForeignKey("attachments.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("tags", JSON, nullable=False, default=list),
    Column("uses", Integer, nullable=False, default=0),
    Column("created_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    _created_at(),
)

kb_feedback = Table(
    "kb_feedback",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("slug", String(300), nullable=False, index=True),
    Column("helpful", Boolean, nullable=False),
    Column("visitor_id", String(40), nullable=True),
    _created_at(),
)

search_log = Table(
    "search_log",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("query", String(500), nullable=False),
    Column("locale", String(16), nullable=True),
    Column("result_count", Integer, nullable=False),
    Column("top_score", Float, nullable=True),
    Column("source", String(16), nullable=False),  # widget | helpcenter | bot | agent | api
    Column("clicked_slug", String(300), nullable=True),
    _created_at(),
    Index("ix_search_log_created", "created_at"),
)
