"""``parley reports overview``: a real process prints the numbers the API gives."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from parley.config import Settings
from parley.db import Database
from parley.reports.overview import compared
from parley.reports.period import Period
from parley.reports.quality import quality
from parley.reports.retention import retention
from parley.reports.store import Scope
from tests.reports.conftest import HOURS, FrozenClock, add_reviews_and_an_issue, build_history
from tests.reports.test_retention import build_customers
from tests.support.live_server import parley_env, run_parley


async def test_the_command_prints_the_same_numbers(
    settings: Settings, tmp_path: Path, frozen: FrozenClock
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await db.upgrade()
        await build_history(db, frozen)
        period = Period(date(2026, 12, 4), date(2026, 12, 7), HOURS.timezone)
        expected = await compared(db, period, Scope())
    finally:
        await db.close()
    env = parley_env(
        data_dir=str(settings.data_dir),
        timezone="Europe/Ljubljana",
        business_hours="mon-fri 09:00-17:00",
    )
    days = ("--from", "2026-12-04", "--to", "2026-12-07")

    as_json = run_parley("reports", "overview", *days, "--format", "json", env=env, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == expected

    table = run_parley("reports", "overview", *days, env=env, cwd=tmp_path)
    rows = [line.split() for line in table.stdout.splitlines()]
    assert rows[0] == ["metric", "2026-12-04..2026-12-07", "2026-11-30..2026-12-03"]
    assert ["conversations.reopened", "1", "0"] in rows
    assert ["csat.average", "3.67"] in rows

    bad = run_parley("reports", "overview", "--period", "week", env=env, cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "Error: period must be one of today, 7d, 30d, 90d or custom"


async def test_the_new_reports_print_the_same_numbers_and_refuse_filters_they_ignore(
    settings: Settings, tmp_path: Path, frozen: FrozenClock
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await db.upgrade()
        await build_customers(db, frozen)
        december = Period(date(2026, 12, 1), date(2026, 12, 31), HOURS.timezone)
        expected = await retention(db, december, Scope())
    finally:
        await db.close()
    env = parley_env(data_dir=str(settings.data_dir), timezone="Europe/Ljubljana")
    days = ("--from", "2026-12-01", "--to", "2026-12-31")

    as_json = run_parley("reports", "retention", *days, "--format", "json", env=env, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == expected
    as_csv = run_parley("reports", "retention", *days, env=env, cwd=tmp_path)
    assert "churn_rate,66.67" in as_csv.stdout.splitlines()

    by_team = run_parley("reports", "knowledge", *days, "--team", "x", env=env, cwd=tmp_path)
    assert by_team.returncode == 1
    assert by_team.stderr.strip() == "Error: this report takes locale, not 'team'"


async def test_quality_and_known_issues_print_the_same_numbers(
    settings: Settings, tmp_path: Path, frozen: FrozenClock
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await db.upgrade()
        history = await build_history(db, frozen)
        await add_reviews_and_an_issue(db, frozen, history)
        period = Period(date(2026, 12, 4), date(2026, 12, 7), HOURS.timezone)
        expected = await quality(db, period, Scope(agent_id=history.bob.id))
    finally:
        await db.close()
    env = parley_env(
        data_dir=str(settings.data_dir),
        timezone="Europe/Ljubljana",
        business_hours="mon-fri 09:00-17:00",
    )
    days = ("--from", "2026-12-04", "--to", "2026-12-07")

    bob = ("--agent", history.bob.id, "--format", "json")
    as_json = run_parley("reports", "quality", *days, *bob, env=env, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == expected
    assert [row["iqs"] for row in expected["iqs_agents"]] == [57.5]

    issues = run_parley("reports", "known_issues", *days, env=env, cwd=tmp_path)
    assert issues.returncode == 0, issues.stderr
    assert issues.stdout.splitlines()[-2:] == [
        "open,fixed,conversations,notified,read,replied",
        "1,0,1,0,0,0",
    ]
    labelled = run_parley("reports", "quality", *days, "--label", "x", env=env, cwd=tmp_path)
    assert labelled.stderr.strip() == "Error: this report takes team, agent, not 'label'"
