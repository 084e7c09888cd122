"""``knowledge/insights.py``: query cleaning, popularity ranking and the writers' report."""

from __future__ import annotations

from datetime import timedelta

from parley import clock
from parley.db import Database
from parley.knowledge import Article, insights, store


def _article(slug: str, category: str) -> Article:
    return Article(
        slug=slug,
        title=slug.title(),
        category=category.title(),
        category_slug=category,
        tags=(),
        locale="en",
        summary="",
        markdown="",
        text="",
        headings=(),
        faq=(),
        source_path=f"{category}/{slug}.md",
        updated_at=clock.now(),
        draft=False,
        repeats_title=False,
    )


def test_control_characters_become_spaces() -> None:
    assert insights.clean_query("  reset\x00pass\nword\t") == "reset pass word"
    assert insights.clean_query("\x00\x01") == ""
    assert insights.clean_query("Hasło ✓") == "Hasło ✓"


def test_without_data_popular_is_each_categorys_first_articles_in_turn() -> None:
    articles = [
        _article("a1", "account"),
        _article("a2", "account"),
        _article("a3", "account"),
        _article("b1", "billing"),
        _article("b2", "billing"),
        _article("c1", "crm"),
    ]
    ranked = insights.by_popularity(articles, {})
    assert [a.slug for a in ranked] == ["a1", "b1", "c1", "a2", "b2", "a3"]
    scored = insights.by_popularity(articles, {"b2": 5, "a3": 2})
    assert [a.slug for a in scored] == ["b2", "a3", "a1", "b1", "c1", "a2"]


async def test_report_has_three_tables(db: Database) -> None:
    since = clock.now() - timedelta(hours=1)
    for _ in range(2):
        await store.record_search(
            db, query="refund", locale="en", result_count=2, top_score=4.0, source="widget"
        )
    await store.mark_clicked(db, slug="refunds", query="refund", after=since)
    await store.record_search(
        db, query="teleport invoice", locale="en", result_count=0, top_score=None, source="api"
    )
    await store.record_feedback(db, slug="refunds", helpful=False, voter="addr_a")
    await store.record_feedback(db, slug="refunds", helpful=True, voter="addr_b")
    report = await insights.build_report(db, days=7)
    assert report.days == 7
    assert [row.query for row in report.unanswered] == ["teleport invoice"]
    text = report.as_text()
    assert "Knowledge base report: the last 7 days" in text
    lines = text.splitlines()
    assert any(line.split()[:4] == ["refund", "2", "1", "50%"] for line in lines)
    assert any(line.strip().startswith("teleport invoice") for line in lines)
    assert any(line.split() == ["refunds", "1", "1", "50%"] for line in lines)


async def test_empty_report_says_none(db: Database) -> None:
    text = (await insights.build_report(db)).as_text()
    assert text.count("(none)") == 3


async def test_popularity_is_reused_for_a_minute_then_recomputed(db: Database) -> None:
    popularity = insights.Popularity(db)
    before = (await popularity.scores()).get("cached-article", 0)
    await store.record_feedback(db, slug="cached-article", helpful=True, voter="addr_a")
    assert (await popularity.scores()).get("cached-article", 0) == before  # within the minute
    fresh = insights.Popularity(db, refresh_seconds=0)
    assert (await fresh.scores())["cached-article"] == before + 1
    popularity.changed()  # a vote recorded by this process
    assert (await popularity.scores())["cached-article"] == before + 1
