"""A/B-tested saved replies in the console: an admin starts a test in the Saved replies dialog,
inserting the reply puts the conversation's drawn wording in the composer (the same one again on
a second insert), the sent reply shows up in the results, and "Keep B" ends the test."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import screenshot
from tests.console.test_console_browser import (
    create_saved_reply_over_api,
    sign_in,
    visitor_asking_for_a_person,
)

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
WORDINGS = ["Your refund is on its way.", "Good news: the refund has been sent!"]


async def test_an_admin_tests_two_wordings_of_a_reply(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    page.on("dialog", lambda dialog: dialog.accept())  # "End the test and keep ...?"
    await sign_in(page, live_url, await make_agent("Ada", role="admin"))
    await create_saved_reply_over_api(page, "refund", WORDINGS[0])

    await page.get_by_role("button", name="Saved replies").click()
    await page.get_by_role("button", name="A/B test of /refund").click()
    tests = page.get_by_role("dialog", name="A/B test of /refund")
    await expect(tests.get_by_label("Variant A")).to_have_value(WORDINGS[0])
    await tests.get_by_label("Variant B").fill(WORDINGS[1])
    await tests.get_by_role("button", name="Start the test").click()
    await expect(tests.locator("tr[data-variant]")).to_have_count(2)
    await tests.get_by_role("button", name="Close").click()
    await (
        page.get_by_role("dialog", name="Saved replies").get_by_role("button", name="Close").click()
    )

    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("assigned")
    await page.get_by_role("tab", name="Mine").click()
    await page.locator(".row", has_text="Vera").click()
    composer = page.get_by_label("Reply")
    picked = page.get_by_role("listbox", name="Saved replies").get_by_role("option")
    await composer.fill("/refund")
    await expect(picked).to_have_count(1)
    await composer.press("Enter")
    either = "|".join(re.escape(wording) for wording in WORDINGS)
    await expect(composer).to_have_value(re.compile(f"^({either})$"))
    drawn = await composer.input_value()
    await composer.fill("/refund")  # a second insert in this conversation: the same wording
    await expect(picked).to_have_count(1)
    await composer.press("Enter")
    await expect(composer).to_have_value(drawn)
    await composer.press("Enter")
    await visitor.expect("message", text=drawn)
    label = "AB"[WORDINGS.index(drawn)]

    await page.get_by_role("button", name="Saved replies").click()
    await page.get_by_role("button", name="A/B test of /refund").click()
    row = tests.locator(f'tr[data-variant="{label}"]')
    await expect(row.locator("td").first).to_have_text("1")  # one episode got this wording
    await screenshot(page, "reply-test-results")
    await tests.get_by_role("button", name="End the test, keep variant B").click()
    await expect(tests.get_by_role("button", name="Ended", exact=False)).to_contain_text("kept B")
    await tests.get_by_role("button", name="Close").click()
    replies = page.get_by_role("dialog", name="Saved replies")
    await expect(replies.locator(".reply-body")).to_have_text(WORDINGS[1])
    await visitor.close()
