"""The knowledge report against a hand count, on both databases: typed searches (the console's
automatic KB-panel search left out), searches with no result, the bot's own unanswered
questions (logged by the real bot over a real index), "not helpful" votes, and the articles
that answered visitors with no person (self-served episodes).

The period is Fri 4 - Mon 7 December 2026 in Ljubljana (UTC+1)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from parley.bot.answer import Bot
from parley.db import Database
from parley.identity.store import Visitor
from parley.knowledge import KnowledgeBase
from parley.knowledge import store as searches
from parley.reports.catalog import REPORTS
from parley.reports.knowledge import knowledge
from parley.reports.period import Period
from parley.reports.store import Scope
from tests.reports.conftest import HOURS, _visitor
from tests.support.clock import FrozenClock
from tests.support.desk import open_desk

FRI_TO_MON = Period(date(2026, 12, 4), date(2026, 12, 7), HOURS.timezone)
PASSWORD_QUESTION = "How do I reset my password?"


async def _search(db: Database, query: str, source: str, results: int, times: int = 1) -> None:
    for _ in range(times):
        await searches.record_search(
            db, query=query, locale="en", result_count=results, top_score=None, source=source
        )


async def build_knowledge_history(db: Database, frozen: FrozenClock, kb: KnowledgeBase) -> None:
    frozen.at(2026, 12, 3, 22, 0)  # Thu 23:00 local: before the period
    await _search(db, "password", "widget", 3)
    await searches.record_feedback(db, slug="reset-password", helpful=False, voter="early")

    frozen.at(2026, 12, 4, 10, 0)
    await _search(db, "password", "widget", 3, times=3)
    await _search(db, "Password", "helpcenter", 3)  # stored lower-case: the same query
    await _search(db, "refund", "agent", 2)
    await _search(db, "where is my invoice", "agent_prefill", 0, times=5)  # not typed: left out
    await _search(db, "zzyzx", "widget", 0, times=2)
    frozen.at(2026, 12, 5, 10, 0)
    await _search(db, "invoice pdf", "api", 0)
    await searches.record_feedback(db, slug="reset-password", helpful=False, voter="v1")
    await searches.record_feedback(db, slug="reset-password", helpful=False, voter="v2")
    await searches.record_feedback(db, slug="reset-password", helpful=True, voter="v3")
    await searches.record_feedback(db, slug="refunds", helpful=False, voter="v1")
    await searches.record_feedback(db, slug="refunds", helpful=True, voter="v4")  # a "yes" only

    bot = Bot(db)
    bot.kb = kb
    life = open_desk(db, HOURS, bot=bot).life

    async def ask(visitor: Visitor, conversation_id: str, *questions: str) -> str:
        for question in questions:
            await life.visitor_says(
                visitor, conversation_id, text=question, client_id=question, attachment_ids=[]
            )
        return conversation_id

    async def opened(name: str) -> tuple[Visitor, str]:
        visitor = await _visitor(db, name)
        return visitor, (await life.open_for(visitor, team=None)).conversation.id

    frozen.at(2026, 12, 6, 11, 0)
    # Two visitors answered by the bot, resolving themselves; one of them comes back and is
    # answered again: reset-password answered 3 episodes of 2 visitors.
    ann, first = await opened("Ann")
    await life.resolve(await ask(ann, first, PASSWORD_QUESTION), by="visitor")
    bea, second = await opened("Bea")
    await life.resolve(await ask(bea, second, PASSWORD_QUESTION), by="visitor")
    await life.resolve(await ask(ann, first, PASSWORD_QUESTION + " "), by="visitor")
    # The bot misses twice and hands over: its unanswered question, twice; not self-served.
    cid, third = await opened("Cid")
    await ask(cid, third, "zzyzx qwerty", "zzyzx qwerty ")

    frozen.at(2026, 12, 8, 12, 0)  # Tue 13:00 local: after the period
    await _search(db, "password", "widget", 3)


@pytest.fixture
def kb(repo_root: Path, tmp_path: Path) -> Iterator[KnowledgeBase]:
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    for article in ("account-login/reset-password.md", "billing/refunds.md"):
        shutil.copy(repo_root / "kb_articles" / article, kb_dir)
    opened = KnowledgeBase.open(kb_dir, tmp_path / "index")
    yield opened
    opened.close()


async def test_every_table_matches_the_hand_count(
    db: Database, frozen: FrozenClock, kb: KnowledgeBase
) -> None:
    await build_knowledge_history(db, frozen, kb)
    report = await knowledge(db, FRI_TO_MON, Scope())

    def counted(table: str) -> list[tuple[str, int]]:
        return [(row["query"], row["searches"]) for row in report[table]]

    # The bot's own searches and the console's automatic one are not "top searches".
    assert counted("top_searches") == [
        ("password", 4),
        ("zzyzx", 2),
        ("invoice pdf", 1),
        ("refund", 1),
    ]
    assert counted("no_result_searches") == [("zzyzx", 2), ("invoice pdf", 1)]
    assert counted("bot_unanswered") == [("zzyzx qwerty", 2)]
    assert report["not_helpful"] == [
        {"slug": "reset-password", "not_helpful": 2, "helpful": 1},
        {"slug": "refunds", "not_helpful": 1, "helpful": 1},
    ]
    assert report["self_served_articles"] == [
        {"slug": "reset-password", "episodes": 3, "visitors": 2}
    ]
    assert report["top_searches"][0]["last_at"] == "2026-12-04T10:00:00.000Z"

    german = await knowledge(db, FRI_TO_MON, Scope(locale="de"))
    assert german["top_searches"] == german["self_served_articles"] == []


async def test_the_csv_holds_each_table_under_its_name(
    db: Database, frozen: FrozenClock, kb: KnowledgeBase
) -> None:
    await build_knowledge_history(db, frozen, kb)
    text = REPORTS["knowledge"].csv(await knowledge(db, FRI_TO_MON, Scope()))
    lines = text.splitlines()
    assert lines[:3] == ["top_searches", "query,searches,clicks,last_at", lines[2]]
    assert lines[2].startswith("password,4,0,")
    assert "bot_unanswered" in lines
    assert "zzyzx qwerty,2,0," in text
    assert lines[-3:] == ["self_served_articles", "slug,episodes,visitors", "reset-password,3,2"]
