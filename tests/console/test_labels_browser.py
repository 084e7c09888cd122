"""Managed labels in Chromium: an admin makes one with a colour, an agent picks it from the
suggestions with the keyboard, both chips wear the colour, and a rename reaches the open
console live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Browser, Page, expect

from parley.config import Settings
from parley.conversation import store as conversation_store
from parley.db import Database
from parley.identity import store as identity_store
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in
from tests.support.factories import new_conversation

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
RED = "rgb(253, 226, 225)"  # .chip[data-colour="red"] in console.css


async def _conversation_of(settings: Settings, email: str) -> None:
    db = Database(settings.resolved_database_url)
    try:
        conversation = await new_conversation(db, status="assigned", name="Vera")
        agent = await identity_store.agent_by_email(db, email)
        assert agent is not None
        await conversation_store.update_conversation(db, conversation.id, assignee_id=agent.id)
    finally:
        await db.close()


async def _background(page: Page, selector: str) -> str:
    colour: str = await page.locator(selector).evaluate(
        "node => getComputedStyle(node).backgroundColor"
    )
    return colour


async def test_an_admins_coloured_label_is_picked_by_an_agent_and_renamed_live(
    console_page: Page, browser: Browser, live_url: str, make_agent: MakeAgent, settings: Settings
) -> None:
    agent = console_page
    ann = await make_agent("Ann")
    await _conversation_of(settings, ann)
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        admin = await context.new_page()
        await sign_in(admin, live_url, await make_agent("Ada", "admin"))
        await admin.goto(f"{live_url}/console/admin/labels")
        form = admin.locator("#label-form")
        await form.get_by_label("Name").fill("Urgent")
        await form.get_by_label("Colour").select_option(label="Red")
        await form.get_by_label("Description").fill("Answer first")
        await form.get_by_role("button", name="Create label").click()
        await expect(admin.get_by_role("status")).to_have_text("Created urgent.")  # as stored
        await expect(form.get_by_label("Colour")).to_have_value("grey")  # reset to the default
        row = admin.locator("#label-rows tr", has_text="urgent")
        await expect(row.locator(".chip")).to_have_attribute("data-colour", "red")
        await expect(row.locator(".count")).to_have_text("0")

        await sign_in(agent, live_url, ann)
        await agent.locator("[data-tab=mine]").click()
        await agent.locator(".row", has_text="Vera").click()
        field = agent.get_by_label("Add label")
        await field.fill("urg")
        option = agent.get_by_role("option", name="urgent")
        await expect(option).to_be_visible()
        await field.press("ArrowDown")
        await expect(option).to_have_attribute("aria-selected", "true")
        await field.press("Enter")
        header_chip = "#labels .chip"
        inbox_chip = ".row .row-labels .chip"
        await expect(agent.locator(header_chip)).to_contain_text("urgent")
        await expect(agent.locator(inbox_chip)).to_have_text("urgent")
        assert await _background(agent, header_chip) == RED
        assert await _background(agent, inbox_chip) == RED
        await screenshot(agent, "labels-coloured")

        await admin.reload()
        row = admin.locator("#label-rows tr", has_text="urgent")
        await expect(row.locator(".count")).to_have_text("1")
        await row.get_by_label("Name of urgent").fill("Escalated")
        await row.get_by_role("button", name="Save urgent").click()
        await expect(admin.get_by_role("status")).to_have_text("Saved escalated.")  # as stored
        await screenshot(admin, "admin-labels")
    finally:
        await context.close()
    await expect(agent.locator(inbox_chip)).to_have_text("escalated")  # live, no reload
    await expect(agent.locator(header_chip)).to_contain_text("escalated")
    assert await _background(agent, inbox_chip) == RED
