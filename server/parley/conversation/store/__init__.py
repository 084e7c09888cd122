"""The only SQL for conversations: rows and live state (``conversations``), messages with their
``seq`` (``messages``), episodes and the event log (``history``), labels (``labels``).

The names most callers need are importable from here.
"""

from parley.conversation.store.conversations import (
    Conversation,
    conversation_by_id,
    conversations_of_visitor,
    create_conversation,
    idle_with_the_bot,
    latest_conversation,
    open_conversations,
    update_conversation,
    visitor_rows,
)
from parley.conversation.store.history import (
    Episode,
    Event,
    current_episodes,
    episodes_of,
    events_of,
)
from parley.conversation.store.messages import (
    Appended,
    Message,
    append_message,
    attachments_of,
    last_messages,
    last_visitor_messages,
    message_by_client_id,
    read_since,
)

__all__ = [
    "Appended",
    "Conversation",
    "Episode",
    "Event",
    "Message",
    "append_message",
    "attachments_of",
    "conversation_by_id",
    "conversations_of_visitor",
    "create_conversation",
    "current_episodes",
    "episodes_of",
    "events_of",
    "idle_with_the_bot",
    "last_messages",
    "last_visitor_messages",
    "latest_conversation",
    "message_by_client_id",
    "open_conversations",
    "read_since",
    "update_conversation",
    "visitor_rows",
]
