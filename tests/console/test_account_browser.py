"""An agent changes their own password in Chromium: the console they did it in stays signed in
and connected, the same agent's console in another browser goes back to sign-in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in, visitor_asking_for_a_person

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
NEW_PASSWORD = "a brand new password"
SAVE_A_REPLY = """() => fetch("/api/v1/console/saved-replies", {
  method: "POST",
  headers: {"Content-Type": "application/json",
            "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content},
  body: JSON.stringify({shortcut: "hello", title: "Hello", body: "Hi there!"}),
}).then((response) => response.status)"""


async def test_an_agent_changes_their_password_and_only_this_console_stays(
    console_page: Page, browser: Browser, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    email = await make_agent("Sam")
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        elsewhere = await context.new_page()
        await sign_in(elsewhere, live_url, email)  # Sam's console in another browser
        await sign_in(page, live_url, email)
        sibling = await page.context.new_page()  # another tab of the same browser
        await sibling.goto(f"{live_url}/console")
        await expect(sibling.locator("#connection")).to_have_text("Connected")

        await page.get_by_role("button", name="Sam").click()
        dialog = page.get_by_role("dialog", name="Your account")
        current = dialog.get_by_label("Current password")
        new, repeat = dialog.get_by_label("New password", exact=True), dialog.get_by_label("Repeat")
        await current.fill(PASSWORD)
        await new.fill(NEW_PASSWORD)
        await repeat.fill("a different one")
        await dialog.get_by_role("button", name="Change password").click()
        await expect(dialog.get_by_role("alert")).to_have_text("The new passwords differ.")
        await current.fill("not my password")
        await repeat.fill(NEW_PASSWORD)
        await dialog.get_by_role("button", name="Change password").click()
        await expect(dialog.get_by_role("alert")).to_have_text("your current password is wrong")

        await current.fill(PASSWORD)
        await new.fill(NEW_PASSWORD)
        await repeat.fill(NEW_PASSWORD)
        await dialog.get_by_role("button", name="Change password").click()
        await expect(dialog.get_by_role("status")).to_have_text(
            "Password changed. Your other sessions were signed out."
        )
        await expect(current).to_have_value("")
        await screenshot(page, "account-password")
        await expect(elsewhere).to_have_url(f"{live_url}/console/login")  # its socket: 4401

        # The other tab shares the browser's new cookie: it reconnects with a fresh CSRF token.
        await expect(sibling.locator("#connection")).to_have_text("Connected")
        await expect(sibling).to_have_url(f"{live_url}/console")
        saved = await sibling.evaluate(SAVE_A_REPLY)  # a CSRF-checked write from that tab
        assert saved == 201
        await sibling.close()

        await dialog.get_by_role("button", name="Close").click()
        await expect(page).to_have_url(f"{live_url}/console")
        await expect(page.locator("#connection")).to_have_text("Connected")
        visitor = await visitor_asking_for_a_person(live_url)
        await visitor.expect("assigned")  # Sam is still online: the socket came back
        await page.get_by_role("tab", name="Mine").click()
        await expect(page.locator(".row", has_text="Vera <b>Visitor</b>")).to_be_visible()
        await visitor.close()

        await page.get_by_role("button", name="Sign out").click()  # with the renewed token
        await expect(page).to_have_url(f"{live_url}/console/login")
        await elsewhere.get_by_label("Email").fill(email)
        await elsewhere.get_by_label("Password").fill(NEW_PASSWORD)
        await elsewhere.get_by_role("button", name="Sign in").click()
        await expect(elsewhere.locator("#connection")).to_have_text("Connected")
    finally:
        await context.close()
