"""The overview's percentiles, which the database now ranks, against Python's over the same
values, on both databases: odd and even counts, ties, one value, and business-hours times
missing for some episodes (resolved before they were kept)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from parley.db import Database
from parley.db.schema import conversation_episodes, conversations, visitors
from parley.reports.overview import Times, overview, percentile
from parley.reports.period import Period
from parley.reports.store import Scope
from tests.reports.conftest import HOURS

DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), HOURS.timezone)
NOON = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def _expected(wall: list[float], business: list[float | None]) -> Times:
    inside = [value for value in business if value is not None]
    return Times(
        len(wall),
        percentile(wall, 0.5),
        percentile(wall, 0.9),
        percentile(inside, 0.5),
        percentile(inside, 0.9),
    )


async def _episodes(
    db: Database, waits: list[float], spans: list[float], inside: list[float | None]
) -> None:
    """One handled episode per value, answered and resolved in December."""
    rows = []
    for n, (wait, span, business) in enumerate(zip(waits, spans, inside, strict=True)):
        rows.append(
            {
                "conversation_id": f"cnv_{n}",
                "number": 1,
                "opened_at": NOON,
                "opened_by": "visitor",
                "bot_answers": 0,
                "bot_misses": 0,
                "first_assigned_at": NOON,
                "first_response_at": NOON + timedelta(seconds=wait),
                "first_response_seconds": wait,
                "first_response_business_seconds": business,
                "resolved_at": NOON + timedelta(seconds=span),
                "resolution_seconds": span,
                "resolution_business_seconds": business,
            }
        )
    async with db.transaction() as conn:
        visitor = {"id": "vis", "attributes": {}, "verified": False, "created_at": NOON}
        await conn.execute(insert(visitors), [visitor])
        await conn.execute(
            insert(conversations),
            [
                {
                    "id": row["conversation_id"],
                    "visitor_id": "vis",
                    "status": "resolved",
                    "created_at": NOON,
                    "updated_at": NOON,
                }
                for row in rows
            ],
        )
        await conn.execute(insert(conversation_episodes), rows)


@pytest.mark.parametrize("count", [1, 2, 37, 100])
async def test_the_databases_percentiles_are_pythons(db: Database, count: int) -> None:
    rng = random.Random(count)
    waits = [round(rng.expovariate(1 / 900), 3) for _ in range(count)]
    waits[count // 2 :] = waits[: count - count // 2]  # ties: every value twice or so
    spans = [wait * 3 + rng.choice((0, 60, 3600)) for wait in waits]
    inside: list[float | None] = [
        None if rng.random() < 0.3 else round(rng.uniform(0, 7200), 1) for _ in waits
    ]
    await _episodes(db, waits, spans, inside)
    figures = await overview(db, DECEMBER, Scope())
    assert figures.first_response == _expected(waits, inside)
    assert figures.resolution == _expected(spans, inside)


async def test_with_nothing_measured_every_percentile_is_empty(db: Database) -> None:
    figures = await overview(db, DECEMBER, Scope())
    assert figures.first_response == Times(0, None, None, None, None)
    assert figures.resolution == Times(0, None, None, None, None)
