"""``knowledge/store.py`` on SQLite and PostgreSQL: searches, clicks, votes and their aggregates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from parley import clock
from parley.db import Database
from parley.db.schema import search_log
from parley.knowledge import store


async def _search(db: Database, query: str, results: int = 1, **extra: object) -> str:
    return await store.record_search(
        db,
        query=query,
        locale="en",
        result_count=results,
        top_score=3.5 if results else None,
        source="api",
        **extra,  # type: ignore[arg-type]
    )


async def test_queries_are_stored_normalised_and_storable(db: Database) -> None:
    await _search(db, "  Reset   PASSWORD \n")
    await _search(db, "reset password")
    await _search(db, "nul\x00byte and lone \ud800 surrogate")
    await _search(db, "Hasło " + "x" * 600)
    rows = await store.top_searches(db, since=clock.now() - timedelta(hours=1), limit=10)
    counts = {row.query: row.searches for row in rows}
    assert counts["reset password"] == 2
    assert "nul byte and lone ? surrogate" in counts
    long_query = next(query for query in counts if query.startswith("hasło"))
    assert len(long_query) == store.MAX_QUERY_CHARS


async def test_refining_updates_the_previous_row_only_when_allowed(db: Database) -> None:
    recent = clock.now() - timedelta(minutes=2)
    first = await _search(db, "p")
    assert await _search(db, "pass", refines=first, refine_after=recent) == first
    assert await _search(db, "x", refines="srch_unknown", refine_after=recent) != first
    future = clock.now() + timedelta(minutes=1)  # "too old" as seen from the row
    assert await _search(db, "password", refines=first, refine_after=future) != first
    await store.mark_clicked(db, slug="reset", search_id=first, after=recent)
    assert await _search(db, "passwords", refines=first, refine_after=recent) != first
    queries = {row.query for row in await store.top_searches(db, since=recent, limit=10)}
    assert queries == {"pass", "x", "password", "passwords"}


async def test_clicks_by_id_and_by_query(db: Database) -> None:
    after = clock.now() - timedelta(hours=1)
    older = await _search(db, "refund")
    newer = await _search(db, "refund")
    assert await store.mark_clicked(db, slug="refunds", query=" REFUND ", after=after)
    assert await store.mark_clicked(db, slug="invoices", query="refund", after=after)
    assert not await store.mark_clicked(db, slug="x", query="refund", after=after)  # all used
    assert not await store.mark_clicked(db, slug="x", search_id=older, after=after)
    assert not await store.mark_clicked(db, slug="x", search_id="srch_nope", after=after)
    assert not await store.mark_clicked(db, slug="x", after=after)
    recent = await _search(db, "late")
    assert not await store.mark_clicked(
        db, slug="x", search_id=recent, after=clock.now() + timedelta(seconds=5)
    )
    popularity = await store.article_popularity(db, since=after)
    assert popularity == {"refunds": 1, "invoices": 1}
    assert newer != older


async def test_counts_clicks_and_unanswered(db: Database) -> None:
    since = clock.now() - timedelta(hours=1)
    for _ in range(3):
        await _search(db, "refund")
    await store.mark_clicked(db, slug="refunds", query="refund", after=since)
    for _ in range(2):
        await _search(db, "teleport", results=0)
    await _search(db, "warp drive", results=0)
    top = await store.top_searches(db, since=since, limit=10)
    assert [(r.query, r.searches, r.clicks) for r in top] == [
        ("refund", 3, 1),
        ("teleport", 2, 0),
        ("warp drive", 1, 0),
    ]
    assert abs(top[0].click_through - 1 / 3) < 1e-9
    assert top[0].last_at.tzinfo is not None
    unanswered = await store.unanswered_searches(db, since=since, limit=10)
    assert [(r.query, r.searches) for r in unanswered] == [("teleport", 2), ("warp drive", 1)]
    assert await store.top_searches(db, since=since, limit=1) == top[:1]
    later = clock.now() + timedelta(minutes=1)
    assert await store.top_searches(db, since=later, limit=10) == []


async def test_votes_and_their_ratio(db: Database) -> None:
    since = clock.now() - timedelta(hours=1)
    for voter, helpful in (("addr_a", False), ("addr_b", False), ("addr_c", True)):
        await store.record_feedback(db, slug="refunds", helpful=helpful, voter=voter)
    await store.record_feedback(db, slug="invoices", helpful=False, voter="addr_a")
    await store.record_feedback(db, slug="reset", helpful=True, voter="addr_a")
    votes = await store.article_votes(db, since=since, limit=10)
    assert [(v.slug, v.not_helpful, v.helpful) for v in votes] == [
        ("refunds", 2, 1),
        ("invoices", 1, 0),
    ]
    assert abs(votes[0].helpful_ratio - 1 / 3) < 1e-9
    assert votes[1].helpful_ratio == 0.0
    assert await store.article_popularity(db, since=since) == {"refunds": 1, "reset": 1}


async def test_a_visitors_vote_replaces_their_earlier_one(db: Database) -> None:
    since = clock.now() - timedelta(hours=1)
    await store.record_feedback(
        db, slug="refunds", helpful=False, visitor_id="vis_1", voter="vis_1"
    )
    await store.record_feedback(
        db, slug="refunds", helpful=False, visitor_id="vis_1", voter="vis_1"
    )
    await store.record_feedback(
        db, slug="refunds", helpful=False, visitor_id="vis_2", voter="vis_2"
    )
    await store.record_feedback(db, slug="refunds", helpful=True, visitor_id="vis_1", voter="vis_1")
    (votes,) = await store.article_votes(db, since=since, limit=10)
    assert (votes.helpful, votes.not_helpful) == (1, 1)


async def test_searches_past_the_retention_are_forgotten(db: Database) -> None:
    old = await _search(db, "retention old query")
    await _search(db, "retention new query")
    async with db.transaction() as conn:
        await conn.execute(
            update(search_log)
            .where(search_log.c.id == old)
            .values(created_at=clock.now() - timedelta(days=200))
        )
    assert await store.prune_search_log(db, before=clock.now() - timedelta(days=180)) == 1
    rows = await store.top_searches(db, since=clock.now() - timedelta(days=365), limit=1000)
    queries = {row.query for row in rows}
    assert "retention new query" in queries
    assert "retention old query" not in queries
