"""Turn a visitor's question into the bot's reply: suggestions, a sentence, and a verdict.

The verdict uses the knowledge base's confidence signal (docs/knowledge.md): at or above
``CONFIDENT`` the bot presents its top results as the answer; below it, it shows what it has
but says plainly it is not sure and offers a person.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parley.errors import BadRequest
from parley.texts import say

if TYPE_CHECKING:
    from parley.knowledge import KnowledgeBase

CONFIDENT = 0.5
SUGGESTION_COUNT = 3


@dataclass(frozen=True)
class BotReply:
    results: list[dict[str, Any]]
    confidence: float
    text: str
    answered: bool


def answer(kb: KnowledgeBase | None, question: str, locale: str) -> BotReply:
    """Search the knowledge base for ``question`` (sync: call it from a worker thread)."""
    nothing = BotReply([], 0.0, say("bot_nothing", locale), answered=False)
    if kb is None:
        return nothing
    try:
        response = kb.search(question, limit=SUGGESTION_COUNT, locale=locale)
    except BadRequest:  # nothing searchable in it: only punctuation, say
        return nothing
    results = [hit.as_json() for hit in response.results]
    if not results:
        return nothing
    confident = response.confidence >= CONFIDENT
    text = say("bot_found" if confident else "bot_unsure", locale)
    return BotReply(results, response.confidence, text, answered=confident)


class Bot:
    """The answerer the conversation lifecycle consults (``Lifecycle``'s ``Answerer``); it
    knows the knowledge base once the app has opened it."""

    def __init__(self) -> None:
        self.kb: KnowledgeBase | None = None

    async def __call__(self, question: str, locale: str) -> BotReply:
        return await asyncio.to_thread(answer, self.kb, question, locale)
