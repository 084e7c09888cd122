"""Reports in Chromium on the hand-counted history of tests/reports/conftest.py: the figures,
the charts (uPlot) and their tables show the seeded numbers; light and dark are axe-clean."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Page, expect

from parley.config import Settings
from parley.db import Database
from parley.identity.agents import create_agent
from tests.browser.conftest import axe_source  # noqa: F401  (a fixture)
from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in
from tests.reports.conftest import (  # noqa: F401  (frozen: a fixture)
    FrozenClock,
    add_reviews_and_an_issue,
    build_history,
    frozen,
)
from tests.reports.test_retention import build_customers

pytestmark = pytest.mark.browser

AXE_SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, nodes: v.nodes.map((n) => n.target)}));
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The live server's housekeeping must not close the seeded chats left with the bot.
    return settings.with_overrides(
        timezone="Europe/Ljubljana",
        business_hours="mon-fri 09:00-17:00",
        bot_idle_minutes=10**7,
    )


@pytest.fixture
async def reports_page(axe_page: Page) -> Page:
    """``axe_page`` (axe-core may be injected), a little taller: the charts and the heatmap."""
    await axe_page.set_viewport_size({"width": 1280, "height": 900})
    return axe_page


async def test_reports_show_the_seeded_numbers_in_charts_and_tables(
    reports_page: Page,
    live_url: str,
    settings: Settings,
    frozen: FrozenClock,  # noqa: F811  (the fixture imported above)
    axe_source: str,  # noqa: F811
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        history = await build_history(db, frozen)
        await add_reviews_and_an_issue(db, frozen, history)
        await create_agent(
            db, email="boss@example.com", name="Boss", password=PASSWORD, role="admin"
        )
    finally:
        await db.close()
    page = reports_page
    await sign_in(page, live_url, "boss@example.com")
    await page.get_by_role("link", name="Reports").click()
    await expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()

    form = page.locator("#report-form")
    await form.get_by_label("Period", exact=True).select_option("custom")
    await form.get_by_label("From", exact=True).fill("2026-12-04")
    await form.get_by_label("To", exact=True).fill("2026-12-07")
    await form.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Showing 2026-12-04 – 2026-12-07 (Europe/Ljubljana)."
    )
    figures = page.locator("#overview-rows")
    await expect(figures.locator("tr[data-figure='New conversations'] td")).to_have_text(["4", "0"])
    await expect(
        figures.locator("tr[data-figure='Self-service deflection'] td").first
    ).to_have_text("25.0 %")
    await expect(
        figures.locator("tr[data-figure='First response in business hours, median'] td").first
    ).to_have_text("10 min")

    volume = page.locator("#volume-chart")
    await expect(volume.locator("canvas")).to_have_count(1)
    assert json.loads(await volume.get_attribute("data-values") or "") == [
        [2, 0, 1, 2],
        [0, 0, 1, 3],
    ]
    csat = json.loads(await page.locator("#csat-chart").get_attribute("data-values") or "")
    assert csat == [[None, None, 100, 50]]
    await page.get_by_text("Table").first.click()
    rows = page.locator("#volume-table tbody tr")
    await expect(rows).to_have_count(4)
    await expect(rows.nth(3)).to_have_text("2026-12-0723")  # Monday: 2 new, 3 resolved
    await expect(page.locator("#busiest-hours tbody tr").nth(4).locator("td").nth(16)).to_have_text(
        "1"
    )
    await expect(page.locator("#agent-rows tr").first).to_contain_text("Ann")
    await expect(page.locator("#csat-comments li").first).to_contain_text("2/5")
    await expect(page.get_by_role("link", name="CSV").first).to_have_attribute(
        "href", "/api/v1/reports/overview?from=2026-12-04&to=2026-12-07&format=csv"
    )
    labelled = json.loads(await page.locator("#labels-chart").get_attribute("data-values") or "")
    assert labelled == [[0, 0, 0, 1]]  # the transfer, labelled billing, came on Monday
    await expect(page.locator("#labels-key li")).to_have_text([" billing"])
    await expect(page.locator("#labels-table tbody tr")).to_have_text(["billing10001"])
    # The seeded history has no searches: the admin's knowledge tables say so.
    await expect(page.locator("#top-searches tbody")).to_have_text("Nothing in this period.")
    await page.locator("#labels-title").scroll_into_view_if_needed()
    await screenshot(page, "reports-labels")
    # Quality: two reviews in the week of Mon 7 Dec, (100 + 57.5) / 2; no target, none late.
    iqs = page.locator("#iqs-chart")
    await expect(iqs.locator("canvas")).to_have_count(1)
    assert json.loads(await iqs.get_attribute("data-values") or "") == [[78.8]]
    await expect(page.locator("#compliance-agents tbody tr")).to_have_text(
        ["Ann2 of 2 (100.0 %)–0", "Bob1 of 1 (100.0 %)–0"]
    )
    await expect(page.locator("#iqs-agents tbody tr")).to_have_text(["Ann1100", "Bob157.5"])
    await expect(page.locator("#known-issues tbody tr")).to_have_text(
        [
            "Invoices are lateopen1000",
            "All1 open, 0 fixed1000",
        ]  # linked 1, told 0, read 0, replied 0
    )
    await page.locator("#quality-title").scroll_into_view_if_needed()
    await screenshot(page, "reports-quality")
    # No customer attributes were ever sent: the host is shown exactly what to send.
    await expect(page.locator("#retention-empty")).to_be_visible()
    await expect(page.locator("#retention-example")).to_contain_text('customer_since: "2025-03-01"')
    await expect(page.locator("#retention-figures")).to_be_hidden()
    await screenshot(page, "reports-light")

    await page.add_script_tag(content=axe_source)
    assert await page.evaluate(AXE_SERIOUS) == []
    await page.emulate_media(color_scheme="dark")
    await screenshot(page, "reports-dark")
    assert await page.evaluate(AXE_SERIOUS) == []

    # A comment's link opens its conversation (resolved, so not in the inbox) in the console.
    await page.locator("#csat-comments li").first.get_by_role("link").click()
    await expect(page.locator("#thread-title")).to_have_text("Vera")
    await expect(page.locator("#messages")).to_contain_text("one more thing")
    assert page.url.endswith("/console")


async def test_retention_shows_the_hand_counted_customers(
    reports_page: Page,
    live_url: str,
    settings: Settings,
    frozen: FrozenClock,  # noqa: F811
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await build_customers(db, frozen)
        await create_agent(
            db, email="boss@example.com", name="Boss", password=PASSWORD, role="admin"
        )
    finally:
        await db.close()
    page = reports_page
    await sign_in(page, live_url, "boss@example.com")
    await page.goto(f"{live_url}/console/reports?from=2026-12-01&to=2026-12-31")
    await expect(page.get_by_role("status")).to_have_text(
        "Showing 2026-12-01 – 2026-12-31 (Europe/Ljubljana)."
    )
    await expect(page.locator("#retention-empty")).to_be_hidden()
    figures = page.locator("#retention-table tbody tr")
    await expect(figures.nth(0)).to_have_text("Customers at the start (S)3")
    await expect(figures.nth(4)).to_have_text("Customer retention rate, (E − N) ÷ S0.00 %")
    await expect(figures.nth(5)).to_have_text("Churn rate, lost ÷ S66.67 %")
    await expect(figures.nth(9)).to_have_text(
        f"Customer lifetime value{round(1650 * 450.5 / 1797, 2):.2f}"
    )
    experience = page.locator("#retention-experience tbody tr")
    await expect(experience).to_have_text(
        [
            "Last rating 1–211100.00 %",
            "Last rating 4–52150.00 %",
            "Waited past the first-response target11100.00 %",
            "First responses within the target2150.00 %",
        ]
    )
    await page.locator("#retention-title").scroll_into_view_if_needed()
    await screenshot(page, "reports-retention")
