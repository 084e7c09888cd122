"""The admin pages in Chromium: an admin adds an agent who then signs in, sets another
agent's password, an agent is turned away, and the widget page previews the admin's choices
before they are saved."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
NEW_PASSWORD = "a brand new password"


async def test_an_admin_adds_an_agent_who_signs_in_elsewhere(
    console_page: Page, browser: Browser, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await make_agent("Sam")
    await sign_in(page, live_url, await make_agent("Ada", "admin"))
    await page.get_by_role("link", name="Admin").click()
    await expect(page).to_have_url(f"{live_url}/console/admin/agents")
    await expect(page.get_by_role("heading", name="Agents")).to_be_visible()
    await expect(page.locator("#agent-rows tr")).to_have_count(2)

    form = page.locator("#agent-form")
    await form.get_by_label("Name").fill("Nina <img src=x onerror=alert(1)>")
    await form.get_by_label("Email").fill("nina@example.com")
    await form.get_by_label("Password").fill(NEW_PASSWORD)
    await form.get_by_label("Capacity").fill("4")
    await form.get_by_label("Support").check()
    await form.get_by_label("Email").fill("nina@example")  # the browser lets it through
    await form.get_by_role("button", name="Create agent").click()
    email = form.get_by_label("Email")
    await expect(email).to_have_attribute("aria-invalid", "true")  # beside the field, in words
    await expect(email).to_have_accessible_description("'nina@example' is not an email address.")
    await expect(page.get_by_role("status")).to_have_text("Not saved: see the marked field.")
    await email.fill("nina@example.com")
    await form.get_by_role("button", name="Create agent").click()
    await expect(page.get_by_role("status")).to_contain_text("They can sign in now.")
    await expect(form.locator(".field-error")).to_have_count(0)
    row = page.locator("#agent-rows tr", has_text="nina@example.com")
    await expect(row).to_contain_text("Nina <img src=x onerror=alert(1)>")  # text, not markup
    await expect(row.get_by_label("Capacity of Nina")).to_have_value("4")
    await expect(row.get_by_label("Support")).to_be_checked()
    await screenshot(page, "admin-agents")

    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        nina = await context.new_page()
        await nina.goto(f"{live_url}/console/login")
        await nina.get_by_label("Email").fill("nina@example.com")
        await nina.get_by_label("Password").fill(NEW_PASSWORD)
        await nina.get_by_role("button", name="Sign in").click()
        await expect(nina).to_have_url(f"{live_url}/console")
        await expect(nina.locator("#connection")).to_have_text("Connected")
        await expect(nina.get_by_role("link", name="Admin")).to_have_count(0)
    finally:
        await context.close()

    sam = page.locator("#agent-rows tr", has_text="sam@example.com")
    await sam.get_by_role("button", name="Disable").click()
    await expect(sam).to_contain_text("Disabled")
    ada = page.locator("#agent-rows tr", has_text="ada@example.com")
    await ada.get_by_role("button", name="Disable").click()
    last_admin = "Parley needs at least one enabled admin."
    await expect(page.get_by_role("status")).to_have_text(last_admin)
    await expect(ada).to_contain_text("Active")


async def test_an_agent_is_refused_the_admin_pages(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent("Sam"))
    await expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    response = await page.goto(f"{live_url}/console/admin/widget")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    await expect(page.locator("#widget-form")).to_have_count(0)
    await screenshot(page, "admin-refused")


async def test_the_widget_page_previews_then_saves_the_look(
    browser: Browser, live_url: str, make_agent: MakeAgent
) -> None:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 720}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(page, live_url, await make_agent("Ada", "admin"))
    await page.goto(f"{live_url}/console/admin/widget")
    form = page.locator("#widget-form")
    await expect(form.get_by_label("Colour", exact=True)).to_have_value("#1f5fd6")

    await form.get_by_label("Colour", exact=True).fill("#c8102e")
    await form.get_by_label("Greeting", exact=True).fill("Hello from <b>Acme</b>!")
    await form.get_by_label("Polski").fill("Cześć! W czym pomóc?")
    await form.get_by_label("Bottom left").check()
    preview = page.get_by_role("img", name="Widget preview", exact=True)
    await expect(preview.locator(".preview-greeting")).to_have_text("Hello from <b>Acme</b>!")
    await form.get_by_label("Language").select_option("pl")  # previews that language's own
    await expect(preview.locator(".preview-greeting")).to_have_text("Cześć! W czym pomóc?")
    await form.get_by_label("Language").select_option("")
    await expect(preview.locator(".preview-launcher")).to_have_css(
        "background-color", "rgb(200, 16, 46)"
    )
    launcher_box = await preview.locator(".preview-launcher").bounding_box()
    preview_box = await preview.bounding_box()
    assert launcher_box
    assert preview_box
    assert launcher_box["x"] - preview_box["x"] < preview_box["width"] / 2  # on the left

    opened = page.get_by_role("img", name="Widget preview, open")  # the open panel too
    await expect(opened.locator(".preview-panel-greeting")).to_have_text("Hello from <b>Acme</b>!")
    await expect(opened.locator(".preview-panel-head")).to_have_css(
        "background-color", "rgb(200, 16, 46)"
    )
    await form.get_by_label("Name", exact=True).fill("Acme")
    await expect(opened.locator(".preview-panel-head")).to_have_text("Acme")

    origins = form.get_by_label("Sites that may embed it")
    await origins.fill("shop.example")
    save = form.get_by_role("button", name="Save")
    await expect(save).to_be_in_viewport()  # the bar sticks to the bottom of the page
    await save.click()
    await expect(origins).to_have_attribute("aria-invalid", "true")
    error = page.locator("#widget-form-allowed_origins-error")
    await expect(error).to_have_text("'shop.example' is not an origin like https://example.com.")
    await expect(error).not_to_contain_text("allowed_origins")
    await expect(page.get_by_role("status")).to_have_text("Not saved: see the marked field.")
    await origins.fill("https://shop.example, *")
    await save.click()
    await expect(page.get_by_role("status")).to_contain_text("Saved.")
    await expect(origins).not_to_have_attribute("aria-invalid", "true")

    snippet = f'<script src="{live_url}/widget.js" async></script>'
    await expect(page.locator("#embed-snippet")).to_have_text(snippet)
    await page.get_by_role("button", name="Copy").click()
    await expect(page.get_by_role("status")).to_have_text("Copied the embed snippet.")
    assert await page.evaluate("navigator.clipboard.readText()") == snippet
    await screenshot(page, "admin-widget")
    await context.close()
    assert not errors

    async with httpx.AsyncClient(base_url=live_url) as http:
        loader = (await http.get("/widget.js")).text
    assert re.search(r'const SITE = \{"color":"#c8102e","position":"left",', loader)
    assert '"greeting":"Hello from <b>Acme</b>!"' in loader
    assert '"greeting_pl":"Cze\\u015b\\u0107! W czym pom\\u00f3c?"' in loader


async def test_business_hours_are_a_weekly_grid_in_a_chosen_time_zone(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent("Ada", "admin"))
    await page.goto(f"{live_url}/console/admin/agents")
    await (
        page.get_by_role("navigation", name="Admin")
        .get_by_role("link", name="Business hours")
        .click()
    )
    await expect(page).to_have_url(f"{live_url}/console/admin/hours")
    form = page.locator("#hours-form")
    # The environment's "mon-fri 09:00-17:00", shown as a grid.
    await expect(form.get_by_label("Open on Monday")).to_be_checked()
    await expect(form.get_by_label("Friday closes")).to_have_value("17:00")
    await expect(form.get_by_label("Open on Saturday")).not_to_be_checked()
    await expect(form.get_by_label("Saturday opens")).to_be_disabled()
    await expect(form.get_by_label("Time zone")).to_have_value("UTC")

    await form.get_by_label("Open on Saturday").check()
    await form.get_by_label("Saturday opens").fill("14:00")
    await form.get_by_label("Saturday closes").fill("10:00")
    await form.get_by_role("button", name="Save").click()
    closes = form.get_by_label("Saturday closes")
    await expect(closes).to_have_attribute("aria-invalid", "true")
    await expect(closes).to_have_accessible_description("Closing time must be after opening time.")
    await closes.fill("15:30")
    await expect(closes).not_to_have_attribute("aria-invalid", "true")
    await form.get_by_label("Friday closes").fill("16:00")
    await form.get_by_label("Time zone").select_option("Europe/Warsaw")
    await form.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved.")
    await expect(form).to_contain_text("Set here by an admin.")
    await screenshot(page, "admin-hours")

    # What is stored is the text form routing reads, days with the same hours joined.
    stored = await page.evaluate(
        """async () => (await (await fetch("/api/v1/console/admin/settings")).json())
            .settings.business_hours.value"""
    )
    assert stored == "mon-thu 09:00-17:00; fri 09:00-16:00; sat 14:00-15:30"
    await page.reload()
    await expect(form.get_by_label("Saturday closes")).to_have_value("15:30")
    await expect(form.get_by_label("Friday closes")).to_have_value("16:00")
    await expect(form.get_by_label("Thursday closes")).to_have_value("17:00")
    await expect(form.get_by_label("Time zone")).to_have_value("Europe/Warsaw")


async def test_an_admin_staffs_a_team(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await make_agent("Sam")
    await sign_in(page, live_url, await make_agent("Ada", "admin"))
    await page.goto(f"{live_url}/console/admin/teams")
    form = page.locator("#team-form")
    await form.get_by_label("Name").fill("Polski")
    await form.get_by_label("Locale").fill("pl")
    await form.get_by_role("button", name="Create team").click()
    await expect(page.get_by_role("status")).to_have_text("Created Polski.")
    row = page.locator("#team-rows tr").filter(has=page.get_by_label("Locale of Polski"))
    await row.get_by_label("Sam").check()
    await row.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved Polski.")
    await screenshot(page, "admin-teams")

    await page.reload()
    row = page.locator("#team-rows tr").filter(has=page.get_by_label("Locale of Polski"))
    await expect(row.get_by_label("Sam")).to_be_checked()
    await expect(row.get_by_label("Ada")).not_to_be_checked()
    await page.get_by_role("link", name="Agents").click()
    sam = page.locator("#agent-rows tr", has_text="sam@example.com")
    await expect(sam.get_by_label("Polski")).to_be_checked()

    await page.get_by_role("link", name="Teams").click()
    delete = page.get_by_role("button", name="Delete Polski")
    page.once("dialog", lambda dialog: dialog.dismiss())
    await delete.click()
    await expect(page.get_by_label("Locale of Polski")).to_have_count(1)  # cancelled: kept
    page.once("dialog", lambda dialog: dialog.accept())
    await delete.click()
    await expect(page.get_by_role("status")).to_have_text("Deleted Polski.")
    await expect(page.get_by_label("Locale of Polski")).to_have_count(0)
    await expect(page.get_by_role("button", name="Delete Support")).to_have_count(0)
    await page.get_by_role("link", name="Agents").click()
    await expect(sam.get_by_label("Polski")).to_have_count(0)


async def test_an_admin_sets_a_new_password_and_only_it_signs_in(
    console_page: Page, browser: Browser, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    sam_email = await make_agent("Sam")
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        sam = await context.new_page()
        await sign_in(sam, live_url, sam_email)  # Sam's console is open meanwhile

        await sign_in(page, live_url, await make_agent("Ada", "admin"))
        await page.goto(f"{live_url}/console/admin/agents")
        ada = page.locator("#agent-rows tr", has_text="ada@example.com")
        await expect(ada.get_by_role("button", name="New password")).to_have_count(0)
        row = page.locator("#agent-rows tr", has_text="sam@example.com")
        await row.get_by_role("button", name="New password for Sam").click()
        await row.get_by_label("New password for Sam").fill(NEW_PASSWORD)
        await screenshot(page, "admin-password")
        await row.get_by_role("button", name="Set").click()
        await expect(page.get_by_role("status")).to_have_text(
            "New password set for Sam. They were signed out everywhere."
        )
        await expect(sam).to_have_url(f"{live_url}/console/login")  # the socket closed: 4401

        await sam.get_by_label("Email").fill(sam_email)
        await sam.get_by_label("Password").fill(PASSWORD)
        await sam.get_by_role("button", name="Sign in").click()
        await expect(sam.get_by_role("alert")).to_have_text("Wrong email or password.")
        await sam.get_by_label("Password").fill(NEW_PASSWORD)  # the form kept the email
        await sam.get_by_role("button", name="Sign in").click()
        await expect(sam).to_have_url(f"{live_url}/console")
        await expect(sam.locator("#connection")).to_have_text("Connected")
    finally:
        await context.close()
