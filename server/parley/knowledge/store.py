"""The only SQL for what readers do with the knowledge base: searches, clicks and votes.

Rows go in as readers search, click and vote; the aggregates come out for the writers' report
(``insights.py``) and for ranking popular articles. Queries are stored normalised (trimmed,
single-spaced, lower-case) so that grouping works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, select, update

from parley import clock
from parley.db import Database
from parley.db.schema import kb_feedback, new_id, search_log

MAX_QUERY_CHARS = 500
# Rows that are not a person's typed search: the console's automatic search for the visitor's
# last message, and the bot's own searches (reported apart, as the bot's questions).
NOT_TYPED = ("agent_prefill", "bot")


@dataclass(frozen=True)
class SearchCount:
    """One distinct query over a period: how often it was searched and how often it led on."""

    query: str
    searches: int
    clicks: int
    last_at: datetime

    @property
    def click_through(self) -> float:
        return self.clicks / self.searches if self.searches else 0.0


@dataclass(frozen=True)
class ArticleVotes:
    slug: str
    helpful: int
    not_helpful: int

    @property
    def helpful_ratio(self) -> float:
        total = self.helpful + self.not_helpful
        return self.helpful / total if total else 0.0


def normalize_query(text: str) -> str:
    """What gets stored: one line, single-spaced, lower-case, at most 500 characters.

    NUL and lone surrogates are dropped here because PostgreSQL refuses to store them.
    """
    storable = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    return " ".join(storable.split()).lower()[:MAX_QUERY_CHARS]


async def record_search(
    db: Database,
    *,
    query: str,
    locale: str | None,
    result_count: int,
    top_score: float | None,
    source: str,
    answered: bool | None = None,
    refines: str | None = None,
    refine_after: datetime | None = None,
) -> str:
    """Log one search and return its id.

    With ``refines`` (the id of this reader's previous search-as-you-type request, made after
    ``refine_after`` and not clicked), that row is updated instead, so typing "p", "pa", "pass"
    is one search for "pass" in the report rather than three. ``answered`` is the bot's verdict
    on its own search (``source="bot"``).
    """
    values = {
        "query": normalize_query(query),
        "locale": locale,
        "result_count": result_count,
        "top_score": top_score,
        "source": source,
        "answered": answered,
        "created_at": clock.now(),
    }
    async with db.transaction() as conn:
        if refines is not None and refine_after is not None:
            updated = await conn.execute(
                update(search_log)
                .where(
                    search_log.c.id == refines,
                    search_log.c.clicked_slug.is_(None),
                    search_log.c.created_at >= refine_after,
                )
                .values(**values)
            )
            if updated.rowcount == 1:
                return refines
        search_id = new_id("srch")
        await conn.execute(insert(search_log).values(id=search_id, **values))
    return search_id


async def mark_clicked(
    db: Database,
    *,
    slug: str,
    after: datetime,
    search_id: str | None = None,
    query: str | None = None,
) -> bool:
    """Record that a search made after ``after`` led to ``slug``; False if none matched.

    The search is named by its id, or else by its query (the latest unclicked one wins).
    """
    async with db.transaction() as conn:
        target = search_id
        if target is None and query is not None:
            target = await conn.scalar(
                select(search_log.c.id)
                .where(
                    search_log.c.query == normalize_query(query),
                    search_log.c.clicked_slug.is_(None),
                    search_log.c.created_at >= after,
                )
                .order_by(search_log.c.created_at.desc())
                .limit(1)
            )
        if target is None:
            return False
        updated = await conn.execute(
            update(search_log)
            .where(
                search_log.c.id == target,
                search_log.c.clicked_slug.is_(None),
                search_log.c.created_at >= after,
            )
            .values(clicked_slug=slug)
        )
        return bool(updated.rowcount == 1)


async def record_feedback(
    db: Database, *, slug: str, helpful: bool, voter: str, visitor_id: str | None = None
) -> None:
    """Store one vote; a voter's new vote on an article replaces their earlier one."""
    async with db.transaction() as conn:
        await conn.execute(
            delete(kb_feedback).where(kb_feedback.c.slug == slug, kb_feedback.c.voter == voter)
        )
        await conn.execute(
            insert(kb_feedback).values(
                id=new_id("fb"),
                slug=slug,
                helpful=helpful,
                visitor_id=visitor_id,
                voter=voter,
                created_at=clock.now(),
            )
        )


async def top_searches(
    db: Database,
    *,
    since: datetime,
    limit: int,
    until: datetime | None = None,
    locale: str | None = None,
) -> list[SearchCount]:
    """The most frequent typed queries in ``[since, until)``, with how many led to an article."""
    typed = search_log.c.source.not_in(NOT_TYPED)
    return await _search_counts(db, typed, since=since, until=until, locale=locale, limit=limit)


async def unanswered_searches(
    db: Database,
    *,
    since: datetime,
    limit: int,
    until: datetime | None = None,
    locale: str | None = None,
) -> list[SearchCount]:
    """Typed queries that found nothing, most frequent (then most recent) first."""
    empty = and_(search_log.c.source.not_in(NOT_TYPED), search_log.c.result_count == 0)
    return await _search_counts(db, empty, since=since, until=until, locale=locale, limit=limit)


async def bot_unanswered(
    db: Database,
    *,
    since: datetime,
    limit: int,
    until: datetime | None = None,
    locale: str | None = None,
) -> list[SearchCount]:
    """Questions the bot searched for and did not answer confidently, most frequent first."""
    missed = and_(search_log.c.source == "bot", search_log.c.answered.is_(False))
    return await _search_counts(db, missed, since=since, until=until, locale=locale, limit=limit)


async def _search_counts(
    db: Database,
    only: ColumnElement[bool],
    *,
    since: datetime,
    until: datetime | None,
    locale: str | None,
    limit: int,
) -> list[SearchCount]:
    searches = func.count().label("searches")
    last_at = func.max(search_log.c.created_at).label("last_at")
    conditions = [only, *_window(search_log.c.created_at, since, until)]
    if locale is not None:
        conditions.append(search_log.c.locale == locale)
    statement = (
        select(search_log.c.query, searches, func.count(search_log.c.clicked_slug), last_at)
        .where(*conditions)
        .group_by(search_log.c.query)
        .order_by(searches.desc(), last_at.desc(), search_log.c.query)
        .limit(limit)
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [SearchCount(row[0], row[1], row[2], clock.as_utc(row[3])) for row in rows]


def _window(
    column: ColumnElement[datetime], since: datetime, until: datetime | None
) -> list[ColumnElement[bool]]:
    return [column >= since] if until is None else [column >= since, column < until]


async def article_votes(
    db: Database, *, since: datetime, limit: int, until: datetime | None = None
) -> list[ArticleVotes]:
    """Articles with "not helpful" votes in ``[since, until)``, most of those votes first."""
    not_helpful = func.sum(case((kb_feedback.c.helpful.is_(False), 1), else_=0)).label("no")
    helpful = func.sum(case((kb_feedback.c.helpful.is_(True), 1), else_=0)).label("yes")
    statement = (
        select(kb_feedback.c.slug, helpful, not_helpful)
        .where(*_window(kb_feedback.c.created_at, since, until))
        .group_by(kb_feedback.c.slug)
        .having(not_helpful > 0)
        .order_by(not_helpful.desc(), helpful, kb_feedback.c.slug)
        .limit(limit)
    )
    async with db.read() as conn:
        rows = (await conn.execute(statement)).all()
    return [ArticleVotes(row[0], int(row[1]), int(row[2])) for row in rows]


async def article_popularity(db: Database, *, since: datetime) -> dict[str, int]:
    """Per slug: searches that led to it plus "helpful" votes for it, since ``since``."""
    clicks = (
        select(search_log.c.clicked_slug, func.count())
        .where(search_log.c.clicked_slug.is_not(None), search_log.c.created_at >= since)
        .group_by(search_log.c.clicked_slug)
    )
    votes = (
        select(kb_feedback.c.slug, func.count())
        .where(kb_feedback.c.helpful.is_(True), kb_feedback.c.created_at >= since)
        .group_by(kb_feedback.c.slug)
    )
    scores: dict[str, int] = {}
    async with db.read() as conn:
        for statement in (clicks, votes):
            for slug, count in (await conn.execute(statement)).all():
                scores[slug] = scores.get(slug, 0) + int(count)
    return scores


async def prune_search_log(db: Database, *, before: datetime) -> int:
    """Forget searches older than ``before`` (the log would otherwise grow forever)."""
    async with db.transaction() as conn:
        result = await conn.execute(delete(search_log).where(search_log.c.created_at < before))
    return int(result.rowcount or 0)
