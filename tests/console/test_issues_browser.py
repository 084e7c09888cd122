"""Known issues in Chromium: an agent creates an issue on its page, links the conversation
they are in from the conversation view, marks the issue fixed there; the visitor gets the
message once, and the page shows the counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in, visitor_asking_for_a_person

MakeAgent = Callable[..., Awaitable[str]]
FIX = "The invoice totals are fixed: please download yours again."

pytestmark = pytest.mark.browser


async def test_an_agent_links_a_conversation_and_marks_the_issue_fixed(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent())
    await page.goto(f"{live_url}/console/issues")
    await page.locator("#issue-form").get_by_label("Title").fill("Invoice totals are wrong")
    await (
        page.locator("#issue-form")
        .get_by_label("Tracker URL (optional)")
        .fill("https://tracker.example/INV-7")
    )
    await page.get_by_role("button", name="Create").click()
    row = page.locator("#issue-rows tr", has_text="Invoice totals are wrong")
    await expect(row).to_contain_text("Open")

    await page.goto(f"{live_url}/console")
    await expect(page.locator("#connection")).to_have_text("Connected")
    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("assigned")
    await page.get_by_role("tab", name="Mine").click()
    await page.locator(".row", has_text="Vera <b>Visitor</b>").click()
    await page.get_by_role("button", name="Known issue").click()
    dialog = page.get_by_role("dialog", name="Known issues")
    await expect(dialog).to_contain_text("Not linked to a known issue.")
    await dialog.get_by_label("Link to an open issue").select_option(
        label="Invoice totals are wrong"
    )
    await dialog.get_by_role("button", name="Link").click()
    await expect(dialog.get_by_role("listitem")).to_have_text("Invoice totals are wrong (open)")
    await screenshot(page, "issue-link")
    await dialog.get_by_role("button", name="Close").click()

    await page.goto(f"{live_url}/console/issues")
    await expect(row.locator('[data-count="conversations"]')).to_have_text("1")
    await row.get_by_role("button", name="Invoice totals are wrong").click()
    await expect(page.locator("#linked")).to_contain_text("cnv_")
    await page.get_by_label("Message text").fill(FIX)
    await page.get_by_role("button", name="Mark fixed and notify").click()
    await expect(page.locator("#issues-status")).to_have_text("Fixed: 1 conversations notified.")
    await expect(row).to_contain_text("Fixed")
    await expect(row.locator('[data-count="notified"]')).to_have_text("1")
    await expect(page.locator("#fixed-text")).to_have_text(FIX)
    await expect(page.get_by_role("button", name="Mark fixed and notify")).to_be_hidden()
    told = await visitor.expect("message", text=FIX, within=10)
    assert told["author"]["kind"] == "system"
    await screenshot(page, "issues")

    await visitor.send({"type": "read", "seq": told["seq"]})
    await visitor.send({"type": "message", "client_id": "v2", "text": "Works now, thanks"})
    await visitor.expect("ack", client_id="v2")
    await page.reload()
    await expect(row.locator('[data-count="read"]')).to_have_text("1")
    await expect(row.locator('[data-count="replied"]')).to_have_text("1")
    await expect(page.locator("#issues-totals")).to_contain_text("1 notified, 1 read, 1 replied")
    frames = await visitor.collect(0.5)
    assert [frame for frame in frames if frame.get("text") == FIX] == []  # told once
    await visitor.close()
