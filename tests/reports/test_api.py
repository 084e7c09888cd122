"""``GET /api/v1/reports/overview`` over HTTP: the hand-counted figures as JSON and CSV, an
admin's whole view against an agent's own, and clear refusals."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest

from parley.config import Settings
from parley.db import Database
from parley.identity.agents import create_agent
from tests.conftest import PASSWORD
from tests.reports.conftest import FrozenClock, History, add_reviews_and_an_issue, build_history

FRI_TO_MON = {"from": "2026-12-04", "to": "2026-12-07"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        kb_dir=tmp_path / "kb",
        secret_key=secrets.token_urlsafe(32),
        business_hours="mon-fri 09:00-17:00",
        timezone="Europe/Ljubljana",
        bot_idle_minutes=10**7,  # housekeeping leaves the seeded chats with the bot alone
    )


@pytest.fixture
async def seeded(client: httpx.AsyncClient, settings: Settings, frozen: FrozenClock) -> History:
    db = Database(settings.resolved_database_url)
    try:
        history = await build_history(db, frozen)
        await create_agent(
            db, email="boss@example.com", name="Boss", password=PASSWORD, role="admin"
        )
    finally:
        await db.close()
    return history


async def _token(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_an_admin_sees_every_conversation_and_an_agent_their_own(
    client: httpx.AsyncClient, seeded: History
) -> None:
    boss = await _token(client, "boss@example.com")
    everything = await client.get("/api/v1/reports/overview", params=FRI_TO_MON, headers=boss)
    assert everything.status_code == 200
    body = everything.json()
    assert body["period"]["timezone"] == "Europe/Ljubljana"
    assert body["current"]["conversations"]["new"] == 4
    assert body["current"]["first_response"]["business_median_seconds"] == 600

    bob = await _token(client, "bob@example.com")
    own = await client.get("/api/v1/reports/overview", params=FRI_TO_MON, headers=bob)
    assert own.json()["current"]["conversations"] == {
        "new": 1,
        "reopened": 0,
        "handed_to_person": 1,
        "resolved": 1,
    }
    peeking = await client.get(
        "/api/v1/reports/overview", params={**FRI_TO_MON, "agent": seeded.ann.id}, headers=bob
    )
    assert peeking.status_code == 403
    assert peeking.json()["error"]["code"] == "own_only"


async def test_the_csv_holds_the_same_numbers(client: httpx.AsyncClient, seeded: History) -> None:
    boss = await _token(client, "boss@example.com")
    response = await client.get(
        "/api/v1/reports/overview", params={**FRI_TO_MON, "format": "csv"}, headers=boss
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert "parley-overview-2026-12-04-2026-12-07.csv" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0] == "metric,2026-12-04..2026-12-07,2026-11-30..2026-12-03"
    assert "conversations.new,4,0" in lines
    assert "csat.satisfied_share,0.6667," in lines
    assert "self_service.deflection,0.25," in lines


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"period": "fortnight"}, 400, "bad_period"),
        ({"from": "2026-12-07", "to": "2026-12-01"}, 400, "bad_period"),
        ({"format": "xlsx"}, 400, "bad_report_parameter"),
        ({"colour": "red"}, 400, "bad_report_parameter"),
    ],
)
async def test_bad_parameters_are_refused_with_a_reason(
    client: httpx.AsyncClient, seeded: History, params: dict[str, str], status: int, code: str
) -> None:
    boss = await _token(client, "boss@example.com")
    response = await client.get("/api/v1/reports/overview", params=params, headers=boss)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


async def test_reports_need_a_signed_in_agent(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reports/overview")
    assert response.status_code == 401


async def test_every_report_has_its_url_and_csv(client: httpx.AsyncClient, seeded: History) -> None:
    boss = await _token(client, "boss@example.com")
    agents = await client.get(
        "/api/v1/reports/agents", params={**FRI_TO_MON, "format": "csv"}, headers=boss
    )
    header, ann, bob = agents.text.splitlines()
    assert bob.split(",")[1:3] == ["Bob", "1"]
    assert header.startswith("agent_id,name,handled,first_response_median_seconds")
    assert ann.split(",")[1:3] == ["Ann", "3"]
    unknown = await client.get("/api/v1/reports/revenue", headers=boss)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_report")


async def test_searches_and_customers_are_for_admins_and_take_their_own_filters(
    client: httpx.AsyncClient, seeded: History
) -> None:
    bob = await _token(client, "bob@example.com")
    refused = await client.get("/api/v1/reports/knowledge", params=FRI_TO_MON, headers=bob)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "admins_only")
    boss = await _token(client, "boss@example.com")
    shown = await client.get(
        "/api/v1/reports/knowledge", params={**FRI_TO_MON, "locale": "en"}, headers=boss
    )
    assert shown.status_code == 200
    assert shown.json()["self_served_articles"] == []  # the seeded bot knows no articles
    by_team = await client.get(
        "/api/v1/reports/knowledge", params={**FRI_TO_MON, "team": "tm_x"}, headers=boss
    )
    assert by_team.status_code == 400
    assert by_team.json()["error"]["message"] == "this report takes locale, not 'team'"


async def test_a_reports_link_finds_its_conversation_resolved_or_not(
    client: httpx.AsyncClient, seeded: History
) -> None:
    boss = await _token(client, "boss@example.com")
    found = await client.get(f"/api/v1/console/conversations/{seeded.invoice_id}", headers=boss)
    assert found.status_code == 200
    summary = found.json()["conversation"]
    assert (summary["id"], summary["status"], summary["visitor"]["name"]) == (
        seeded.invoice_id,
        "resolved",
        "Vera",
    )
    missing = await client.get("/api/v1/console/conversations/cnv_nothing", headers=boss)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_conversation")


async def test_quality_shows_an_agent_their_own_rows_and_refuses_labels(
    client: httpx.AsyncClient, seeded: History, settings: Settings, frozen: FrozenClock
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await add_reviews_and_an_issue(db, frozen, seeded)
    finally:
        await db.close()
    boss = await _token(client, "boss@example.com")
    everything = (
        await client.get("/api/v1/reports/quality", params=FRI_TO_MON, headers=boss)
    ).json()
    # No target is set, so no response is late: Ann's two first responses (both invoice
    # episodes) and Bob's one (the transfer) are all on time.
    assert [
        (r["name"], r["first_responses"], r["on_time"], r["compliance"])
        for r in everything["compliance_agents"]
    ] == [("Ann", 2, 2, 1.0), ("Bob", 1, 1, 1.0)]
    assert [(r["name"], r["iqs"]) for r in everything["iqs_agents"]] == [
        ("Ann", 100.0),
        ("Bob", 57.5),
    ]
    assert everything["iqs_weeks"] == [{"week": "2026-12-07", "reviews": 2, "iqs": 78.8}]

    bob = await _token(client, "bob@example.com")
    own = (await client.get("/api/v1/reports/quality", params=FRI_TO_MON, headers=bob)).json()
    assert [r["name"] for r in own["compliance_agents"]] == ["Bob"]
    assert [(r["name"], r["iqs"]) for r in own["iqs_agents"]] == [("Bob", 57.5)]
    assert own["iqs_weeks"] == [{"week": "2026-12-07", "reviews": 1, "iqs": 57.5}]
    peeking = await client.get(
        "/api/v1/reports/quality", params={**FRI_TO_MON, "agent": seeded.ann.id}, headers=bob
    )
    assert (peeking.status_code, peeking.json()["error"]["code"]) == (403, "own_only")
    labelled = await client.get(
        "/api/v1/reports/quality", params={**FRI_TO_MON, "label": "billing"}, headers=boss
    )
    assert labelled.status_code == 400
    assert labelled.json()["error"]["message"] == "this report takes team, agent, not 'label'"

    issues = await client.get(
        "/api/v1/reports/known_issues", params={**FRI_TO_MON, "format": "csv"}, headers=bob
    )
    assert issues.status_code == 200  # every agent sees the issues, as on the issues page
    assert "parley-known_issues-2026-12-04-2026-12-07.csv" in issues.headers["content-disposition"]
    lines = issues.text.splitlines()
    assert lines[:2] == [
        "issues",
        "issue_id,title,status,reported_at,fixed_at,linked,notified,read,replied,tracker_url",
    ]
    assert lines[2].split(",")[1:3] == ["Invoices are late", "open"]
    assert lines[-1] == "1,0,1,0,0,0"
    by_team = await client.get(
        "/api/v1/reports/known_issues", params={**FRI_TO_MON, "team": "tm_x"}, headers=boss
    )
    assert by_team.json()["error"]["message"] == "this report takes no filter, not 'team'"
