""" "Email me the transcript" in the widget: ticked on the offline form, or asked for on the card
shown after an agent resolves the chat; the server confirms in the conversation."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import agent_says, screenshot
from tests.browser.widget import ask
from tests.support.chat import ChatClient
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


async def test_the_offline_form_asks_for_the_transcript_too(
    demo_page: Page, server: LiveServer
) -> None:
    widget = await ask(demo_page, "Can I export invoices to my accountant?")
    await widget.button("Talk to a person").click()
    offline = widget.panel.locator(".offline")
    await offline.get_by_label("Your email").fill("vera@example.com")
    await offline.get_by_label("Also email me the transcript when we're done").check()
    await offline.get_by_role("button", name="Send").click()
    await expect(
        widget.message("We will email the transcript to vera@example.com when this")
    ).to_be_visible()
    await expect(offline).to_have_count(0)


async def test_after_the_resolve_the_visitor_asks_for_the_transcript(
    demo_page: Page, server: LiveServer, agent: ChatClient
) -> None:
    page = demo_page
    widget = await ask(page, "How do I reset my password?")
    await widget.button("Talk to a person").click()
    conversation_id = (await widget.storage("state"))["conversation_id"]
    await agent.send({"type": "accept", "conversation_id": conversation_id})
    await agent_says(agent, conversation_id, "Use the link on the sign-in page.")
    await agent.send({"type": "resolve", "conversation_id": conversation_id})
    card = widget.panel.locator(".transcript")
    await expect(card).to_be_visible()
    await expect(widget.panel.locator(".rating")).to_be_visible()  # both, side by side
    email = card.get_by_label("Email me the transcript")
    await email.fill("not-an-email")
    await card.get_by_role("button", name="Send").click()
    await expect(card.get_by_text("Please enter a valid email address.")).to_be_visible()
    await email.fill("vera@example.com")
    await screenshot(page, "transcript")
    await card.get_by_role("button", name="Send").click()
    await expect(
        widget.message("We are emailing the transcript to vera@example.com.")
    ).to_be_visible()
    await expect(card).to_have_count(0)
