"""What readers do with the knowledge base, turned into something writers can act on.

Every search any edge makes goes through ``logged_search`` (so the log is complete), popular
articles are ranked from the same log, and ``build_report`` answers the writer's questions:
what do people look for, what finds nothing, which articles leave them unhelped.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from parley import clock
from parley.db import Database
from parley.errors import BadRequest
from parley.knowledge import Article, KnowledgeBase, SearchResponse, store
from parley.knowledge.store import ArticleVotes, SearchCount

# Who may name themselves as a search's source over HTTP (the bot logs its own, as "bot").
SOURCES = ("api", "widget", "helpcenter", "agent", "agent_prefill")
MAX_QUERY_CHARS = store.MAX_QUERY_CHARS
# A search-as-you-type request may refine the reader's previous one for this long.
REFINE_WINDOW = timedelta(minutes=2)
# A click is credited to a search made at most this long before it.
CLICK_WINDOW = timedelta(hours=1)
POPULAR_DAYS = 30
POPULAR_REFRESH_SECONDS = 60.0


def voter(*, visitor_id: str | None, address: str, secret: str) -> str:
    """Who cast a "helpful" vote: the visitor when known, else a keyed digest of the reader's
    address (the address itself is not stored)."""
    if visitor_id is not None:
        return visitor_id
    digest = hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"addr_{digest[:40]}"


@dataclass(frozen=True)
class LoggedSearch:
    response: SearchResponse
    search_id: str

    def as_json(self) -> dict[str, object]:
        """The protocol's search response plus ``search_id`` (for clicks and refinements)."""
        return {**self.response.as_json(), "search_id": self.search_id}


def clean_query(raw: str) -> str:
    """Control characters (a pasted NUL, stray newlines) become spaces; the rest is kept."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in raw).strip()


async def logged_search(
    kb: KnowledgeBase,
    db: Database,
    raw_query: str,
    *,
    limit: int,
    locale: str,
    source: str,
    refines: str | None = None,
) -> LoggedSearch:
    """Search (off the event loop: it is CPU work) and log the search before answering."""
    query = clean_query(raw_query)
    if not query:
        raise BadRequest("q is required: type something to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"q is longer than {MAX_QUERY_CHARS} characters: try a few key words")
    if source not in SOURCES:
        raise BadRequest(f"source must be one of {', '.join(SOURCES)}")
    response = await asyncio.to_thread(kb.search, query, limit=limit, locale=locale)
    search_id = await store.record_search(
        db,
        query=query,
        locale=locale,
        result_count=len(response.results),
        top_score=response.results[0].score if response.results else None,
        source=source,
        refines=refines,
        refine_after=clock.now() - REFINE_WINDOW,
    )
    return LoggedSearch(response, search_id)


async def record_click(
    db: Database, *, slug: str, search_id: str | None = None, query: str | None = None
) -> bool:
    """Credit a recent search (by id, else by query) with leading to ``slug``."""
    return await store.mark_clicked(
        db, slug=slug, search_id=search_id, query=query, after=clock.now() - CLICK_WINDOW
    )


class Popularity:
    """Per slug, over the last 30 days: searches that led to it plus "helpful" votes.

    Recomputed at most once a minute: every widget that opens asks for popular articles, and a
    30-day aggregate barely moves in a minute. A click or vote this process records (rarer than
    widget opens) makes the next request recompute, so a reader's choice shows at once here.
    """

    def __init__(self, db: Database, *, refresh_seconds: float = POPULAR_REFRESH_SECONDS) -> None:
        self.db = db
        self.refresh_seconds = refresh_seconds
        self._scores: dict[str, int] = {}
        self._computed_at: float | None = None

    async def scores(self) -> dict[str, int]:
        now = time.monotonic()
        if self._computed_at is None or now - self._computed_at >= self.refresh_seconds:
            since = clock.now() - timedelta(days=POPULAR_DAYS)
            self._scores = await store.article_popularity(self.db, since=since)
            self._computed_at = now
        return self._scores

    def changed(self) -> None:
        self._computed_at = None


def by_popularity(articles: Iterable[Article], scores: dict[str, int]) -> list[Article]:
    """Most popular first; among equals, each category's first articles before its later ones.

    With no data at all this is a curated default: the first article of every category, then
    the second of every category, and so on, in the knowledge base's own order.
    """
    listed = list(articles)
    position_in_category: dict[str, int] = {}
    rank: dict[str, tuple[int, int, int]] = {}
    for order, article in enumerate(listed):
        position = position_in_category.get(article.category_slug, 0)
        position_in_category[article.category_slug] = position + 1
        rank[article.slug] = (-scores.get(article.slug, 0), position, order)
    return sorted(listed, key=lambda article: rank[article.slug])


@dataclass(frozen=True)
class Report:
    days: int
    since: datetime
    top_searches: list[SearchCount]
    unanswered: list[SearchCount]
    unhelpful: list[ArticleVotes]

    def as_text(self) -> str:
        """Three plain-text tables, as ``parley kb report`` prints them."""
        header = f"Knowledge base report: the last {self.days} days (since {self.since:%Y-%m-%d})"
        return "\n\n".join(
            [
                header,
                _table(
                    "Top searches",
                    ("query", "searches", "clicks", "click-through"),
                    [
                        (_clip(row.query), row.searches, row.clicks, f"{row.click_through:.0%}")
                        for row in self.top_searches
                    ],
                ),
                _table(
                    "Searches with no results",
                    ("query", "searches", "last searched"),
                    [
                        (_clip(row.query), row.searches, f"{row.last_at:%Y-%m-%d %H:%M}")
                        for row in self.unanswered
                    ],
                ),
                _table(
                    'Articles voted "not helpful"',
                    ("article", "not helpful", "helpful", "helpful ratio"),
                    [
                        (row.slug, row.not_helpful, row.helpful, f"{row.helpful_ratio:.0%}")
                        for row in self.unhelpful
                    ],
                ),
            ]
        )


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    if not rows:
        return f"{title}\n  (none)"
    cells = [[str(value) for value in row] for row in [columns, *rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]

    def line(values: list[str]) -> str:  # text left-aligned, numbers right-aligned
        padded = (
            v.ljust(w) if i == 0 else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )
        return ("  " + "  ".join(padded)).rstrip()

    rule = "  " + "  ".join("-" * width for width in widths)
    return "\n".join([title, line(cells[0]), rule, *(line(values) for values in cells[1:])])


async def build_report(db: Database, *, days: int = 30, limit: int = 20) -> Report:
    since = clock.now() - timedelta(days=days)
    return Report(
        days=days,
        since=since,
        top_searches=await store.top_searches(db, since=since, limit=limit),
        unanswered=await store.unanswered_searches(db, since=since, limit=limit),
        unhelpful=await store.article_votes(db, since=since, limit=limit),
    )
