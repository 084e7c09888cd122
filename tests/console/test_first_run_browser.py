"""First run in Chromium: a new site's /console asks for the setup token and makes the admin."""

from __future__ import annotations

import logging

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import axe_source  # noqa: F401  (a fixture)
from tests.conftest import PASSWORD, LiveApp
from tests.console.axe import violations
from tests.console.conftest import screenshot
from tests.console.test_setup import logged_setup_url

pytestmark = pytest.mark.browser


@pytest.fixture
def caplog_setup(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="parley.setup")
    return caplog


async def test_the_first_admin_is_made_in_the_browser_with_the_logged_token(
    caplog_setup: pytest.LogCaptureFixture,
    live_app: LiveApp,
    axe_page: Page,
    axe_source: str,  # noqa: F811
) -> None:
    page = axe_page
    token = logged_setup_url(caplog_setup).rsplit("=", 1)[1]
    await page.goto(f"{live_app.url}/console")  # no ?token: the person types it in
    await expect(page).to_have_url(f"{live_app.url}/console/setup")
    await expect(page.get_by_role("heading", name="Create the first admin")).to_be_visible()
    assert await violations(page, axe_source, "first run") == []

    await page.get_by_label("Setup token").fill("not-the-token")
    await page.get_by_label("Your name").fill("Olga Owner")
    await page.get_by_label("Email").fill("olga@example.com")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Repeat the password").fill(PASSWORD)
    await page.get_by_role("button", name="Create admin and sign in").click()
    token_field = page.get_by_label("Setup token")
    await expect(token_field).to_have_attribute("aria-invalid", "true")
    await expect(token_field).to_have_accessible_description(
        "Printed in the server's log when Parley started. "
        "That is not the setup token. Copy it from the server's log."
    )
    await expect(page.get_by_label("Your name")).to_have_value("Olga Owner")  # kept
    await screenshot(page, "first-run-error")
    assert await violations(page, axe_source, "first run, refused") == []

    await token_field.fill(token)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Repeat the password").fill(PASSWORD)
    await page.get_by_role("button", name="Create admin and sign in").click()
    await expect(page).to_have_url(f"{live_app.url}/console")
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.get_by_role("link", name="Admin")).to_be_visible()

    await page.goto(f"{live_app.url}/console/setup")  # closed for good
    await expect(page.get_by_role("heading", name="Parley is set up")).to_be_visible()
