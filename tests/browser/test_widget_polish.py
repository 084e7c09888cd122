"""What makes the widget feel finished: who answers and when, a reply noticed while the panel
is closed, articles an agent shares as cards, and the site's own name instead of Parley's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import HostPage, agent_says, host_html, screenshot
from tests.browser.widget import Widget, ask
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import ChatClient
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]


async def test_home_says_who_answers_and_when_in_the_visitors_time(
    browser: Browser, server: LiveServer, agent: ChatClient
) -> None:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, timezone_id="Europe/Ljubljana"
    )
    try:
        page = await context.new_page()
        await page.goto(server.url + "/")
        widget = await (await Widget(page).ready()).open()
        team = widget.panel.locator(".team")
        await expect(team.locator(".availability")).to_have_text(
            "We're online. We usually reply in a few minutes."
        )
        await expect(team.locator(".dot.online")).to_have_count(1)
        # Who answers: Ann's face, her initial in a circle, named for screen readers.
        await expect(team.get_by_role("img", name="Ann")).to_be_visible()
        await expect(team.locator(".face")).to_have_text(["A"])
        # The team works 09:00-17:00 UTC; in Ljubljana in December that is an hour later.
        await expect(team.locator(".hours")).to_have_text(
            "Our hours, in your time: Mon–Fri 10:00 AM–6:00 PM"
        )
        await screenshot(page, "home")
        await team.get_by_role("button", name="Message us").click()
        await expect(widget.composer).to_be_focused()
    finally:
        await context.close()


async def test_a_reply_while_the_panel_is_closed_shows_a_preview_and_flashes_the_title(
    demo_page: Page, agent: ChatClient
) -> None:
    page = demo_page
    widget = await ask(page, "Can I change the currency of an invoice?")
    await widget.button("Talk to a person").click()
    conversation_id = (await widget.storage("state"))["conversation_id"]
    await agent.send({"type": "accept", "conversation_id": conversation_id})
    await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")
    original_title = await page.title()
    await page.keyboard.press("Escape")

    await agent_says(agent, conversation_id, "Yes: open the invoice and pick another currency.")
    preview = page.locator("parley-widget .greeting.preview")
    await expect(preview).to_contain_text("Ann")
    await expect(preview).to_contain_text("Yes: open the invoice and pick another currency.")
    await expect(widget.badge).to_have_text("1")
    await expect(page).to_have_title("New message from Ann", timeout=4_000)
    await screenshot(page, "reply-preview")

    await preview.locator(".say").click()
    await expect(widget.panel).to_be_visible()
    await expect(preview).to_have_count(0)
    await expect(page).to_have_title(original_title)
    await page.wait_for_timeout(1_700)  # longer than a flash: it stays put
    assert await page.title() == original_title


async def test_an_article_the_agent_shares_arrives_as_a_card(
    demo_page: Page, server: LiveServer, agent: ChatClient
) -> None:
    page = demo_page
    widget = await ask(page, "I forgot my password")
    await widget.button("Talk to a person").click()
    conversation_id = (await widget.storage("state"))["conversation_id"]
    await agent.send({"type": "accept", "conversation_id": conversation_id})
    link = f"Reset your password: {server.url}/help/articles/reset-password"
    await agent_says(agent, conversation_id, f"This should help:\n{link}")
    message = widget.message("This should help:")
    card = message.locator(".article-card")
    await expect(card.locator(".result-title")).to_have_text("Reset your password")
    await expect(card.locator(".snippet")).not_to_be_empty()  # the article's summary
    await expect(message.locator(".bubble")).to_have_text("This should help:")  # no bare URL
    await card.click()
    await expect(widget.panel.locator(".article .article-title")).to_have_text(
        "Reset your password"
    )


async def test_the_widget_speaks_for_the_site_not_for_parley(
    host_page: HostPage, live_url: str, make_agent: MakeAgent
) -> None:
    async with httpx.AsyncClient(base_url=live_url) as admin:
        csrf = await signed_in_with_csrf(admin, await make_agent("Ada", "admin"))
        chosen = {
            "site_name": "Tallybird",
            "bot_name": "Tally",
            "offline_text": "The Tallybird crew is out until nine. Leave your email below.",
        }
        saved = await admin.put(
            "/api/v1/console/admin/settings", json=chosen, headers={"X-CSRF-Token": csrf}
        )
        assert saved.status_code == 200

    page = await host_page(host_html(f'<script src="{live_url}/widget.js" async></script>'))
    widget = await (await Widget(page).ready()).open()
    await expect(widget.panel.locator("#parley-title")).to_have_text("Tallybird")
    await widget.search.fill("Where is my parcel?")
    await widget.search.press("Enter")
    bot = widget.log.locator(".msg.from-bot .author")
    await expect(bot).to_have_text("Tally")
    await widget.button("Talk to a person").click()  # nobody is online on this server
    await expect(widget.message("The Tallybird crew is out until nine.")).to_be_visible()
    # The dialog's heading row is no second banner landmark on the customer's page.
    assert await page.locator("parley-widget header").count() == 0
