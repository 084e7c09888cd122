"""The writers' report in the console: what people search for, what finds nothing, what the
bot could not answer, which articles readers voted "not helpful", and which articles answered
visitors with no person involved.

Searches belong to no conversation, so of the filters only ``locale`` applies to them (the
search's language); the self-served articles are episodes and take every filter. Typed searches
are the log's rows minus the console's automatic search for the visitor's last message
(``agent_prefill``) and the bot's own (``bot``), which are reported as the bot's questions.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from parley import clock
from parley.db import Database
from parley.knowledge import store as searches
from parley.knowledge.store import SearchCount
from parley.reports import store
from parley.reports.period import Period
from parley.reports.store import BotVerdict, Scope

LIMIT = 20
TABLES = (
    "top_searches",
    "no_result_searches",
    "bot_unanswered",
    "not_helpful",
    "self_served_articles",
)


def _searches(rows: list[SearchCount]) -> list[dict[str, Any]]:
    return [
        {
            "query": row.query,
            "searches": row.searches,
            "clicks": row.clicks,
            "last_at": clock.iso(row.last_at),
        }
        for row in rows
    ]


def answering_articles(verdicts: list[BotVerdict]) -> list[dict[str, Any]]:
    """Per article: the self-served episodes it answered, and the distinct visitors in them.
    An episode is credited to its last confident answer's top article, else (the visitor said
    it solved it after an unsure answer) to its last answer's top article."""
    last: dict[tuple[str, int], BotVerdict] = {}
    for verdict in verdicts:
        key = (verdict.conversation_id, verdict.episode)
        kept = last.get(key)
        if verdict.top is not None and (kept is None or verdict.answered or not kept.answered):
            last[key] = verdict
    episodes: dict[str, int] = defaultdict(int)
    visitors: dict[str, set[str]] = defaultdict(set)
    for verdict in last.values():
        assert verdict.top is not None
        episodes[verdict.top] += 1
        visitors[verdict.top].add(verdict.visitor_id)
    ranked = sorted(episodes, key=lambda slug: (-len(visitors[slug]), -episodes[slug], slug))
    return [
        {"slug": slug, "episodes": episodes[slug], "visitors": len(visitors[slug])}
        for slug in ranked[:LIMIT]
    ]


async def knowledge(db: Database, period: Period, scope: Scope) -> dict[str, Any]:
    start, end, locale = period.start, period.end, scope.locale
    counted = {
        name: await count(db, since=start, until=end, locale=locale, limit=LIMIT)
        for name, count in (
            ("top_searches", searches.top_searches),
            ("no_result_searches", searches.unanswered_searches),
            ("bot_unanswered", searches.bot_unanswered),
        )
    }
    votes = await searches.article_votes(db, since=start, until=end, limit=LIMIT)
    verdicts = await store.self_served_verdicts(db, start, end, scope)
    return {
        "period": period.as_json(),
        **{name: _searches(rows) for name, rows in counted.items()},
        "not_helpful": [
            {"slug": row.slug, "not_helpful": row.not_helpful, "helpful": row.helpful}
            for row in votes
        ],
        "self_served_articles": answering_articles(verdicts),
    }
