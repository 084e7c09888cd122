"""Every table Parley stores, in one MetaData. Migrations under ``migrations/`` create them.

IDs are opaque strings made by ``new_id`` (a readable prefix plus randomness), so rows can be
created on any process without a round trip for an autoincrement value.
"""

from __future__ import annotations

import secrets

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
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
    text,
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
    # Off: no mail about conversations waiting with nobody online (mail/, docs/mail.md).
    Column("mail_enabled", Boolean, nullable=False, server_default="1"),
)

# One row per signed-in console or API client: signing out (or a new password) deletes it, and
# a token whose row is gone is refused, so a session ends on the server, not only in a cookie.
agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True),
    _created_at(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Presence as history (Reports → Agents: time online): one row per stretch an agent was online,
# kept by every process's housekeeping pass from the presence all processes share. ``seen_at``
# is the last pass that saw them online, so a stretch a stopped server left open ends there.
# At most one open stretch per agent (the partial unique index), however many processes run.
agent_presence = Table(
    "agent_presence",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("online_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("offline_at", DateTime(timezone=True), nullable=True),
    Index("ix_agent_presence_agent_online", "agent_id", "online_at"),
    Index(
        "ix_agent_presence_open",
        "agent_id",
        unique=True,
        sqlite_where=text("offline_at IS NULL"),
        postgresql_where=text("offline_at IS NULL"),
    ),
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
    # Migration 0002 added the next three to a table with rows, so the database holds their
    # default. Internal notes are numbered apart from what the visitor sees (docs/protocol.md).
    Column("last_note_seq", Integer, nullable=False, server_default="0"),
    Column("visitor_read_seq", Integer, nullable=False, server_default="0"),
    Column("agent_read_seq", Integer, nullable=False, server_default="0"),
    Column("offline_email", String(254), nullable=True),
    # The number of the episode the conversation is in (conversation_episodes.number);
    # migration 0006 added it to a table with rows, so the database holds its default.
    Column("episode", Integer, nullable=False, server_default="1"),
    _created_at(),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Current state for the router (queue order, holder since); history is in the episodes.
    Column("queued_at", DateTime(timezone=True), nullable=True),
    Column("assigned_at", DateTime(timezone=True), nullable=True),
    Index("ix_conversations_visitor_status", "visitor_id", "status"),
    Index("ix_conversations_status_queued", "status", "queued_at"),
    Index("ix_conversations_assignee_status", "assignee_id", "status"),
)

# One stretch of a conversation's life: opened by a first message (or a reopen), ended by a
# resolve. A reopen starts the next number; a closed episode is never rewritten, so every
# rating and every response time stays what it was (docs/architecture.md, "Record path").
conversation_episodes = Table(
    "conversation_episodes",
    metadata,
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_by", String(16), nullable=False),  # visitor | agent
    # The bot's confident answers, and the questions it could not answer (the second miss
    # sends the visitor to a person).
    Column("bot_answers", Integer, nullable=False, default=0),
    Column("bot_misses", Integer, nullable=False, default=0),
    Column("handoff_at", DateTime(timezone=True), nullable=True),
    Column("handoff_reason", String(16), nullable=True),  # asked | bot_unanswered
    Column("queued_at", DateTime(timezone=True), nullable=True),
    Column("first_assigned_at", DateTime(timezone=True), nullable=True),
    Column("first_agent_id", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    Column("first_team_id", ForeignKey("teams.id", ondelete="SET NULL"), nullable=True),
    Column("first_response_at", DateTime(timezone=True), nullable=True),
    Column("first_response_seconds", Float, nullable=True),
    Column("first_response_business_seconds", Float, nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(16), nullable=True),  # agent | visitor | bot | timeout
    Column("resolved_by_agent_id", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    # Opening to resolution, measured when it happened (wall clock, and inside business hours
    # as they were then): the reports' resolution times, read without recomputing each one.
    Column("resolution_seconds", Float, nullable=True),
    Column("resolution_business_seconds", Float, nullable=True),
    # Ended with the knowledge base's answer and no person: the deflection reports count.
    Column("self_served", Boolean, nullable=True),
    Column("rating", Integer, nullable=True),
    Column("rating_comment", Text, nullable=True),
    Column("rated_at", DateTime(timezone=True), nullable=True),
    # The address the visitor asked to be mailed this episode's transcript at; the resolve (or
    # the request, if it came after) writes the mail in its own transaction (docs/mail.md).
    Column("transcript_to", String(254), nullable=True),
    # The reports read a period's episodes by one of three moments; each index also holds the
    # columns that report needs, so the database answers from the index alone.
    Index(
        "ix_conversation_episodes_opened_at",
        "opened_at",
        "number",
        "handoff_at",
        "first_assigned_at",
    ),
    Index(
        "ix_conversation_episodes_resolved_at",
        "resolved_at",
        "first_assigned_at",
        "self_served",
        "rating",
        "resolution_seconds",
        "resolution_business_seconds",
    ),
    Index(
        "ix_conversation_episodes_first_response_at",
        "first_response_at",
        "first_response_seconds",
        "first_response_business_seconds",
    ),
)

# The append-only log of measured moments (created, handoff, assigned, first_response, ...),
# written in the transaction of the change it records and never updated. Numbered in commit
# order per database, so a reader can resume after the last id it saw. ``agent_id`` and
# ``team_id`` are plain values, not foreign keys: deleting an agent must not rewrite history.
conversation_events = Table(
    "conversation_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("episode", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_kind", String(16), nullable=True),  # visitor | agent | bot | system
    Column("actor_id", String(40), nullable=True),
    Column("agent_id", String(40), nullable=True),
    Column("team_id", String(40), nullable=True),
    Column("data", JSON, nullable=False, default=dict),
    Index("ix_conversation_events_at", "at"),
    Index("ix_conversation_events_type_at", "type", "at"),
    # Which agents were assigned in an episode, and wrote its first response: the agents'
    # report and the agent filter read the agent from the index alone (migration 0019).
    Index("ix_conversation_events_type_episode", "type", "conversation_id", "episode", "agent_id"),
    Index("ix_conversation_events_conversation_id", "conversation_id", "id"),
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
    # How it reached Parley when not through a socket: "email" for a visitor's mailed reply.
    Column("via", String(16), nullable=True),
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
    Column("tags", JSON, nullable=True),  # null: none (replies saved before tags)
)

# Whose a saved reply is (replies/): an agent's own (owner_id) or one team's (team_id); a reply
# without a row here is everyone's. A deleted team's replies become everyone's (team_id null).
saved_reply_scopes = Table(
    "saved_reply_scopes",
    metadata,
    Column("saved_reply_id", ForeignKey("saved_replies.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_id", ForeignKey("agents.id", ondelete="CASCADE"), nullable=True),
    Column("team_id", ForeignKey("teams.id", ondelete="SET NULL"), nullable=True),
    Index("ix_saved_reply_scopes_owner_id", "owner_id"),
    Index("ix_saved_reply_scopes_team_id", "team_id"),
)

# The images and GIFs a saved reply sends with its text: attachments bound to no conversation
# that the reply owns; inserting the reply copies each into the conversation.
saved_reply_attachments = Table(
    "saved_reply_attachments",
    metadata,
    Column("saved_reply_id", ForeignKey("saved_replies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column(
        "attachment_id",
        ForeignKey("attachments.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
)

# A/B test of a saved reply's wording (quality/experiments.py): 2-4 variants, one running test
# per reply at a time; each conversation that inserts the reply keeps the variant it drew.
reply_experiments = Table(
    "reply_experiments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("saved_reply_id", ForeignKey("saved_replies.id", ondelete="CASCADE"), nullable=False),
    Column("started_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("winner", Integer, nullable=True),  # the variant number kept when the test ended
    Index("ix_reply_experiments_saved_reply_id", "saved_reply_id"),
)

reply_variants = Table(
    "reply_variants",
    metadata,
    Column(
        "experiment_id", ForeignKey("reply_experiments.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("number", Integer, primary_key=True),  # 0 = A, 1 = B, ...
    Column("body", Text, nullable=False),
)

reply_variant_picks = Table(
    "reply_variant_picks",
    metadata,
    Column(
        "experiment_id", ForeignKey("reply_experiments.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("variant", Integer, nullable=False),
    Column("picked_at", DateTime(timezone=True), nullable=False),
)

# Service-level targets an admin sets (quality/sla.py): first- and next-response times for every
# conversation, a team's, a label's or verified customers'. A breach is an event; the row in
# sla_breaches makes it happen once, however many processes run the check.
sla_targets = Table(
    "sla_targets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("applies_to", String(16), nullable=False),  # all | team | label | verified
    Column("applies_value", String(60), nullable=True),  # the team id or label name
    Column("first_response_seconds", Integer, nullable=True),
    Column("next_response_seconds", Integer, nullable=True),
    Column("business_hours", Boolean, nullable=False),
    Column("escalation", String(16), nullable=False),  # none | notify | reassign
    _created_at(),
)

sla_breaches = Table(
    "sla_breaches",
    metadata,
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("episode", Integer, primary_key=True),
    Column("kind", String(8), primary_key=True),  # first | next
    Column("started_at", DateTime(timezone=True), primary_key=True),  # the clock that ran out
)

# Peer review (quality/review.py): a scorecard is never edited in place (a change adds the next
# version), so each review keeps the criteria it was scored on. Each week every reviewer gets
# colleagues' resolved episodes to read and score.
review_scorecards = Table(
    "review_scorecards",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("criteria", JSON, nullable=False),  # [{"key", "label", "weight"}]
    Column("scale", Integer, nullable=False),  # scores run 1..scale
    Column("created_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    _created_at(),
)

review_assignments = Table(
    "review_assignments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("week", Date, nullable=False),  # the Monday the week of reviewing starts
    Column("reviewer_id", ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("episode", Integer, nullable=False),
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),  # reviewed
    Column("team_id", String(40), nullable=True),
    _created_at(),
    UniqueConstraint(
        "reviewer_id", "conversation_id", "episode", name="uq_review_assignments_reviewer_id"
    ),
    Index("ix_review_assignments_week", "week", "reviewer_id"),
)

reviews = Table(
    "reviews",
    metadata,
    Column(
        "assignment_id",
        ForeignKey("review_assignments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("scorecard_id", ForeignKey("review_scorecards.id"), nullable=False),
    Column("scores", JSON, nullable=False),  # {criterion key: 1..scale}
    Column("score", Float, nullable=False),  # the weighted IQS, 0..100
    Column("comment", Text, nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
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
    # Who voted: the visitor, or a keyed digest of an anonymous reader's address. One vote
    # per voter and article, so a reader cannot push an article up by voting forty times.
    Column("voter", String(64), nullable=True),
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
    # widget | helpcenter | api | agent (typed in the console's KB panel) | agent_prefill (the
    # panel's automatic search for the visitor's last message) | bot (the bot's own search)
    Column("source", String(16), nullable=False),
    Column("clicked_slug", String(300), nullable=True),
    Column("answered", Boolean, nullable=True),  # the bot's verdict; null for other sources
    _created_at(),
    Index("ix_search_log_created", "created_at"),
)

# The durable outbox (docs/mail.md): a mail is a row written in the transaction of the change
# that causes it, and a worker claims, composes and sends it. ``due_at`` is when it may next be
# tried; ``claimed_until`` is the lease of the process sending it (a crashed sender's rows come
# back when it runs out). ``dedupe_key`` keeps one mail per cause (one pending reply digest per
# conversation: the key is released once the digest is composed; one fix notice per issue and
# conversation). The composed mail stays readable in the console (Admin → Mail).
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(32), nullable=False),  # reply_digest | rating_request | waiting | ...
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True),
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), nullable=True),
    Column("dedupe_key", String(200), nullable=True, unique=True),
    Column("status", String(16), nullable=False),  # pending | sending | sent | failed | cancelled
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(40), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("recipient", String(254), nullable=True),
    Column("subject", Text, nullable=True),
    Column("text_body", Text, nullable=True),
    Column("html_body", Text, nullable=True),
    Column("reply_to", String(254), nullable=True),
    Column("message_id", String(200), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("data", JSON, nullable=False, default=dict),
    _created_at(),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_mail_outbox_status_due", "status", "due_at"),
    Index("ix_mail_outbox_conversation", "conversation_id"),
)

# Known issues (knownissues/): a problem several customers reported, the conversations it
# affects, and the announcement when it is fixed. ``fixed_at`` is set once: marking it fixed
# again announces nothing new. A link's ``notified_seq`` is the seq of the fix message posted
# into its conversation (read = the visitor's read mark reached it; replied = a visitor message
# after it).
known_issues = Table(
    "known_issues",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("tracker_url", Text, nullable=True),
    Column("status", String(16), nullable=False),  # open | fixed
    Column("created_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    _created_at(),
    Column("fixed_at", DateTime(timezone=True), nullable=True),
    Column("fixed_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    Column("fix_message", Text, nullable=True),
)

known_issue_links = Table(
    "known_issue_links",
    metadata,
    Column("issue_id", ForeignKey("known_issues.id", ondelete="CASCADE"), primary_key=True),
    Column("conversation_id", ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("linked_by", ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("notified_seq", Integer, nullable=True),
    Index("ix_known_issue_links_conversation", "conversation_id"),
)
