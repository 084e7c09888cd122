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
from parley.knowledge import store
from parley.knowledge.insights import clean_query
from parley.texts import say

if TYPE_CHECKING:
    from parley.db import Database
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
    knows the knowledge base once the app has opened it. With a database, each question it
    searched for is logged (source ``bot``, with its verdict) for the knowledge report."""

    def __init__(self, db: Database | None = None) -> None:
        self.kb: KnowledgeBase | None = None
        self.db = db

    async def __call__(self, question: str, locale: str) -> BotReply:
        reply = await asyncio.to_thread(answer, self.kb, question, locale)
        query = clean_query(question)
        if self.db is not None and self.kb is not None and query:
            await store.record_search(
                self.db,
                query=query,
                locale=locale,
                result_count=len(reply.results),
                top_score=reply.results[0].get("score") if reply.results else None,
                source="bot",
                answered=reply.answered,
            )
        return reply
