"""Time online from the presence history, on both databases: the housekeeping pass's
``record_presence`` run every 30 seconds of a frozen clock (the server runs it every 2), and
the agents' report summing each agent's stretches inside Fri 4 - Mon 7 December (Ljubljana:
from Thu 3 Dec 23:00 to Mon 7 Dec 23:00 UTC).

- Ann: online Thu 22:50 - 23:10 UTC: 600 s of it inside.
- Bob: Mon 10:00 - 10:30 (1800 s), then online at 22:50 until every server stopped after the
  pass at 22:55: the stretch ends where it was last seen (300 s). 2100 s.
- Cleo: online Sat 09:00 - 09:01 (60 s) and handled nothing: listed with no filter.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from parley.db import Database
from parley.identity.agents import create_agent
from parley.reports.people import agents
from parley.reports.store import Scope
from parley.routing.store import record_presence
from tests.conftest import PASSWORD
from tests.reports.conftest import FrozenClock, History
from tests.reports.test_overview import FRI_TO_MON

PASS = timedelta(seconds=30)


async def _online(
    db: Database, frozen: FrozenClock, agent_ids: set[str], start: datetime, minutes: int
) -> None:
    """Passes every 30 s that see ``agent_ids`` online for ``minutes``."""
    frozen.moment = start
    while frozen.moment <= start + timedelta(minutes=minutes):
        await record_presence(db, agent_ids, frozen.moment)
        frozen.moment += PASS


async def test_time_online_is_each_agents_stretches_inside_the_period(
    db: Database, frozen: FrozenClock, history: History
) -> None:
    cleo = await create_agent(db, email="cleo@example.com", name="Cleo", password=PASSWORD)
    ann, bob = history.ann.id, history.bob.id
    await _online(db, frozen, {ann}, datetime(2026, 12, 3, 22, 50, tzinfo=UTC), 20)
    await record_presence(db, set(), datetime(2026, 12, 3, 23, 10, tzinfo=UTC))  # Ann left
    await _online(db, frozen, {cleo.id}, datetime(2026, 12, 5, 9, 0, tzinfo=UTC), 1)
    await record_presence(db, set(), datetime(2026, 12, 5, 9, 1, tzinfo=UTC))
    await _online(db, frozen, {bob}, datetime(2026, 12, 7, 10, 0, tzinfo=UTC), 30)
    await record_presence(db, set(), datetime(2026, 12, 7, 10, 30, tzinfo=UTC))
    await _online(db, frozen, {bob}, datetime(2026, 12, 7, 22, 50, tzinfo=UTC), 5)
    frozen.at(2026, 12, 8, 12, 0)  # no pass since 22:55: every server stopped

    rows = {row["name"]: row for row in (await agents(db, FRI_TO_MON, Scope()))["agents"]}
    assert {name: row["online_seconds"] for name, row in rows.items()} == {
        "Ann": 600.0,
        "Bob": 2100.0,
        "Cleo": 60.0,
    }
    assert (rows["Cleo"]["handled"], rows["Cleo"]["resolved"]) == (0, 0)

    only_bob = (await agents(db, FRI_TO_MON, Scope(agent_id=bob)))["agents"]
    # Ann handled the transfer with Bob, so she has a row; her time online is not Bob's to see.
    assert [(row["name"], row["online_seconds"]) for row in only_bob] == [
        ("Ann", None),
        ("Bob", 2100.0),
    ]
    german = (await agents(db, FRI_TO_MON, Scope(locale="de")))["agents"]
    assert "Cleo" not in {row["name"] for row in german}  # online time joins handled rows only


async def test_one_open_stretch_per_agent_however_many_processes_write(
    db: Database, frozen: FrozenClock, history: History
) -> None:
    ann = {history.ann.id}
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    # Two processes' passes at once both see Ann arrive: one stretch is opened, not two.
    await asyncio.gather(record_presence(db, ann, start), record_presence(db, ann, start))
    await _online(db, frozen, ann, start + PASS, 10)
    await record_presence(db, set(), start + timedelta(minutes=10))
    rows = (await agents(db, FRI_TO_MON, Scope(agent_id=history.ann.id)))["agents"]
    assert {row["name"]: row["online_seconds"] for row in rows}["Ann"] == 600.0
