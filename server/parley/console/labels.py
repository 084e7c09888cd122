"""Telling every console that the team's label list changed."""

from __future__ import annotations

from parley.conversation.events import AGENTS_CHANNEL, pack
from parley.conversation.protocol import LabelsOut, encode
from parley.conversation.store import conversation_by_id
from parley.conversation.store.labels import list_labels
from parley.services import Services


async def announce(found: Services, relabelled: list[str] | None = None) -> None:
    """Every console hears the new list (a ``labels`` frame, so chips recolour at once) and a
    fresh SUMMARY of each conversation whose labels changed with it."""
    listed = [label.public() for label, _ in await list_labels(found.db)]
    await found.bus.publish(AGENTS_CHANNEL, pack(encode(LabelsOut(labels=listed))))
    for conversation_id in relabelled or []:
        conversation = await conversation_by_id(found.db, conversation_id)
        if conversation is not None:
            await found.conversations.announce_to_agents(conversation)
