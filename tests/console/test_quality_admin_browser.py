"""The admin pages for response targets and the review scorecard in Chromium: an admin adds a
target, changes it in place, deletes it; edits the scorecard's criteria, weights and scale; what
the page shows after a reload is what the API stores."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]


async def _api(page: Page, url: str) -> dict:  # type: ignore[type-arg]
    result: dict = await page.evaluate(  # type: ignore[type-arg]
        "async (url) => (await fetch(url)).json()", url
    )
    return result


async def test_an_admin_manages_targets_and_the_scorecard(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete the target …?"
    await sign_in(page, live_url, await make_agent("Ada", "admin"))
    await page.goto(f"{live_url}/console/admin/targets")
    await expect(page.get_by_role("heading", name="Response targets")).to_be_visible()
    await expect(page.locator("#target-rows")).to_contain_text("No targets yet")

    form = page.locator("#target-form")
    await form.get_by_label("Name").fill("Within the hour")
    await form.get_by_label("First reply (min)").fill("60")
    await form.get_by_label("Next reply (min)").fill("15")
    await form.get_by_label("Business hours only").check()
    await form.get_by_role("button", name="Create target").click()
    await expect(page.locator("#admin-status")).to_have_text("Created Within the hour.")
    row = page.locator('tr[data-target="Within the hour"]')
    await expect(row.get_by_label("First reply in minutes of Within the hour")).to_have_value("60")

    await row.get_by_label("Name of Within the hour").fill("Half an hour")
    await row.get_by_label("First reply in minutes of Within the hour").fill("30")
    await row.get_by_label("When missed of Within the hour").select_option("reassign")
    await row.get_by_role("button", name="Save Within the hour").click()
    await expect(page.locator("#admin-status")).to_have_text("Saved Half an hour.")
    (stored,) = (await _api(page, "/api/v1/quality/sla/targets"))["targets"]
    assert (
        stored["name"],
        stored["first_response_seconds"],
        stored["next_response_seconds"],
        stored["business_hours"],
        stored["escalation"],
    ) == ("Half an hour", 1800, 900, True, "reassign")
    edited = page.locator('tr[data-target="Half an hour"]')
    await edited.get_by_label("First reply in minutes of Half an hour").fill("0.5")
    await edited.get_by_role("button", name="Save Half an hour").click()  # under a minute
    await expect(page.locator("#admin-status")).to_contain_text("60 seconds to 30 days")
    await screenshot(page, "admin-targets")
    await edited.get_by_role("button", name="Delete Half an hour").click()
    await expect(page.locator("#admin-status")).to_have_text("Deleted Half an hour.")
    assert (await _api(page, "/api/v1/quality/sla/targets"))["targets"] == []

    await page.get_by_role("link", name="Review scorecard").click()
    await expect(page).to_have_url(f"{live_url}/console/admin/scorecard")
    await expect(page.get_by_label("Criterion 1", exact=True)).to_have_value("Empathy")
    await page.get_by_label("Weight of criterion 2").fill("50")
    await page.get_by_role("button", name="Remove criterion 4").click()
    await page.get_by_role("button", name="Add a criterion").click()
    await page.get_by_label("Criterion 4", exact=True).fill("Follow-up")
    await page.get_by_label("Weight of criterion 4").fill("5")
    await page.get_by_label("Scores from 1 to").fill("4")
    await page.get_by_role("button", name="Save the scorecard").click()
    await expect(page.locator("#admin-status")).to_have_text(
        "Saved the scorecard: new reviews use it."
    )
    card = await _api(page, "/api/v1/quality/scorecard")
    assert card["scale"] == 4
    assert [(c["label"], c["weight"]) for c in card["criteria"]] == [
        ("Empathy", 25),
        ("Solution", 50),
        ("Tone", 20),
        ("Follow-up", 5),
    ]
    await page.reload()
    await expect(page.get_by_label("Criterion 4", exact=True)).to_have_value("Follow-up")
    await expect(page.get_by_label("Scores from 1 to")).to_have_value("4")
    await page.get_by_role("button", name="Remove criterion 1").click()
    await page.get_by_role("button", name="Remove criterion 2").click()
    await page.get_by_role("button", name="Remove criterion 3").click()
    await page.get_by_role("button", name="Remove criterion 4").click()
    await page.get_by_role("button", name="Save the scorecard").click()  # nothing to score
    await expect(page.locator("#admin-status")).to_contain_text("1 to 10 criteria")
    assert (await _api(page, "/api/v1/quality/scorecard"))["id"] == card["id"]
