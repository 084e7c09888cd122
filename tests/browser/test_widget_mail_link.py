"""A mail's "Continue the conversation" link lands on the visitor's page with ``#parley-chat``:
the widget opens there by itself; without the fragment it stays a bubble."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.browser.conftest import HostPages, host_html, tag
from tests.browser.widget import Widget
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


async def test_the_mail_link_opens_the_chat(
    context: BrowserContext, host_pages: HostPages, server: LiveServer
) -> None:
    host_pages.pages["/pricing.html"] = host_html(tag(server)).encode()
    page = await context.new_page()
    await page.goto(host_pages.origin + "/pricing.html")
    widget = await Widget(page).ready()
    await expect(widget.panel).to_be_hidden()

    linked = await context.new_page()
    await linked.goto(host_pages.origin + "/pricing.html#parley-chat")
    opened = await Widget(linked).ready()
    await expect(opened.panel).to_be_visible()
