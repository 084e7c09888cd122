"""Triage from the inbox in Chromium: who wrote, their own words, the page and the wait on each
row; the console opens the tab that needs the agent and says when work arrives elsewhere."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in
from tests.support.chat import new_visitor, visitor_client

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
GENERATED = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")


async def test_rows_show_who_what_where_and_how_long_and_new_work_is_announced(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent())
    await expect(page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    await expect(page.get_by_role("tab", name=re.compile("^Queue"))).to_have_attribute(
        "aria-selected", "true"
    )  # nothing anywhere: the queue
    await expect(page.locator("#inbox-empty")).to_contain_text("Nobody is waiting")

    # An anonymous visitor: no name, no email. Handed to Ann at once (she is online), so the
    # conversation lands in Mine while she looks at the Queue.
    token = await new_visitor(live_url, page_url="https://shop.example/pricing?coupon=SECRET")
    visitor, _ = await visitor_client(live_url, token)
    await visitor.say("My card was charged twice")
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned")

    news = page.locator("#inbox-news")
    await expect(news).to_contain_text(re.compile(r"New in Mine: [A-Z][a-z]+ [A-Z][a-z]+"))
    await expect(page.get_by_role("tab", name=re.compile("^Mine"))).to_have_class(
        re.compile("has-news")
    )
    await news.get_by_role("button", name="Show Mine").click()
    await expect(page.get_by_role("tab", name=re.compile("^Mine"))).to_have_attribute(
        "aria-selected", "true"
    )
    await expect(news).to_be_empty()

    row = page.locator("#conversation-list .row").first
    name = (await row.locator(".row-name").text_content()) or ""
    assert GENERATED.match(name), name  # a distinct generated name, not "Visitor"
    initials = "".join(word[0] for word in name.split())
    await expect(row.locator(".avatar")).to_have_attribute("data-initials", initials)
    # Their own words, not the "… joined" system line that came after them.
    await expect(row.locator(".row-preview")).to_have_text("My card was charged twice")
    await expect(row.locator(".row-page")).to_have_text("shop.example/pricing")  # no query
    await expect(row.locator(".row-wait")).to_have_text(re.compile(r"^\d+s$"))
    await screenshot(page, "inbox-triage")

    await row.click()
    await expect(page.locator("#thread-title")).to_have_text(re.compile(re.escape(name)))
    visitor_line = page.locator("#messages .message.visitor").first
    await expect(visitor_line.locator(".author")).to_have_text(name)  # one name everywhere
    await expect(page.locator("#visitor-details")).to_contain_text(name)
    await page.get_by_label("Reply").fill("Let me look.")
    await page.get_by_label("Reply").press("Enter")
    await expect(row.locator(".row-wait")).to_have_count(0)  # answered: nobody waits now

    # The KB panel searches for what the visitor wrote, its lines kept apart by spaces.
    await visitor.say("Where is\nmy refund?")
    await expect(page.get_by_label("Search articles")).to_have_value("Where is my refund?")
    await expect(row.locator(".row-preview")).to_have_text("Where is my refund?")
    await expect(row.locator(".row-wait")).to_have_text(re.compile(r"^\d+s$"))  # waiting again

    # Coming back: the queue is empty and Mine has work, so Mine is what opens.
    await page.reload()
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.get_by_role("tab", name=re.compile("^Mine"))).to_have_attribute(
        "aria-selected", "true"
    )
    await expect(page.locator("#conversation-list .row-name")).to_have_text(name)
    await visitor.close()
