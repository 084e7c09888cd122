"""What a visitor sees as a conversation moves on: nobody online, an agent joining, a reload,
a transfer, the end. Each state says one thing, once, and leaves when it no longer holds.

Who is online matters here, so the module has a server of its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.browser.conftest import (
    AGENT_EMAIL,
    AGENT_PASSWORD,
    HostPage,
    agent_says,
    host_html,
    screenshot,
    start_server,
    tag,
)
from tests.browser.test_widget_media import agent_sends_images
from tests.browser.widget import Widget, ask, loaded
from tests.media import image_bytes
from tests.support.chat import ChatClient, agent_client, agent_token
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

SCREENSHOT = image_bytes("PNG", size=(900, 600))


@pytest.fixture(scope="module")
def lonely_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("states-server"))
    yield live
    live.stop()


@pytest.fixture
async def page(context: BrowserContext, lonely_server: LiveServer) -> Page:
    page = await context.new_page()
    await page.goto(lonely_server.url + "/")
    return page


@pytest.fixture
async def ann(lonely_server: LiveServer) -> AsyncIterator[ChatClient]:
    """Ann, online, on a real agent socket; offline again after the test."""
    token = await agent_token(lonely_server.url, AGENT_EMAIL, AGENT_PASSWORD)
    client, _ = await agent_client(lonely_server.url, token)
    await client.send({"type": "presence", "status": "online"})
    yield client
    await client.send({"type": "presence", "status": "away"})
    await client.close()


async def test_nobody_online_is_said_once_and_the_email_card_leaves_when_ann_joins(
    page: Page, lonely_server: LiveServer
) -> None:
    widget = await ask(page, "Can I export invoices to my accountant?")
    await widget.button("Talk to a person").click()
    email = widget.panel.get_by_label("Your email")
    await expect(email).to_be_visible()
    await expect(widget.message("Nobody from the team is online")).to_have_count(1)
    # Said once, by the server's message: the card only asks for the address, and no place
    # in a queue that nobody serves contradicts it.
    await expect(widget.panel.get_by_text("Nobody is online right now")).to_have_count(0)
    await page.wait_for_timeout(500)  # the queue frame follows the handoff
    await expect(widget.panel.locator(".notice")).to_be_empty()
    await screenshot(page, "offline-once")

    conversation_id = (await widget.storage("state"))["conversation_id"]
    token = await agent_token(lonely_server.url, AGENT_EMAIL, AGENT_PASSWORD)
    ann, _ = await agent_client(lonely_server.url, token)
    try:
        await ann.send({"type": "presence", "status": "online"})
        await ann.send({"type": "accept", "conversation_id": conversation_id})
        await expect(widget.message("Ann joined the conversation.")).to_be_visible()
        await expect(email).to_have_count(0)
        await agent_sends_images(lonely_server, ann, conversation_id, "Like this", SCREENSHOT)
        image = widget.log.locator(".msg.from-agent .thumb img")
        await loaded(image)
        await expect(image).to_be_in_viewport()
        await ann.send({"type": "resolve", "conversation_id": conversation_id})
        await expect(widget.panel.locator(".rating")).to_be_visible()
        await expect(email).to_have_count(0)
        await ann.send({"type": "presence", "status": "away"})
    finally:
        await ann.close()


async def test_a_reload_shows_the_newest_message_and_only_what_still_holds(
    page: Page, lonely_server: LiveServer, ann: ChatClient
) -> None:
    widget = await ask(page, "How do I reset my password?")
    await widget.button("Talk to a person").click()
    conversation_id = (await widget.storage("state"))["conversation_id"]
    await ann.send({"type": "accept", "conversation_id": conversation_id})
    await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")
    for n in range(6):
        await agent_says(ann, conversation_id, f"Step {n + 1} of the explanation.")
    await agent_sends_images(lonely_server, ann, conversation_id, "Here it is", SCREENSHOT)

    await page.reload()
    await expect(widget.panel).to_be_visible()
    newest = widget.log.locator(".msg.from-agent .thumb img")
    await loaded(newest)
    # The image arrived after the log was scrolled: the log still ends at the newest message.
    await expect(newest).to_be_in_viewport()
    at_end = "log => log.scrollHeight - log.scrollTop - log.clientHeight < 4"
    assert await widget.log.evaluate(at_end)
    # The bot's choice was made: its card keeps the articles, not the buttons.
    await expect(widget.log.locator(".suggestions .result").first).to_be_visible()
    await expect(
        widget.log.locator(".suggestions").get_by_role("button", name="Talk to a person")
    ).to_have_count(0)
    await expect(
        widget.log.locator(".suggestions").get_by_role("button", name="This solved it")
    ).to_have_count(0)
    await screenshot(page, "reloaded")

    await ann.send({"type": "resolve", "conversation_id": conversation_id})
    await expect(widget.panel.locator(".rating")).to_be_visible()
    await expect(widget.panel.locator(".subtitle")).not_to_have_text(re.compile("Chatting"))
    await page.reload()
    await expect(widget.panel.locator(".rating")).to_be_visible()
    await expect(widget.panel.locator(".subtitle")).not_to_have_text(re.compile("Chatting"))


async def test_solved_by_the_bot_asks_for_no_rating(page: Page) -> None:
    widget = await ask(page, "How do I reset my password?")
    await widget.button("This solved it").click()
    await expect(widget.panel.get_by_text("Glad we could help!")).to_be_visible()
    await page.wait_for_timeout(500)  # the resolved status follows
    await expect(widget.panel.locator(".rating")).to_have_count(0)
    await page.reload()
    await expect(widget.panel.get_by_text("Glad we could help!")).to_have_count(0)
    await expect(widget.message("How do I reset my password?")).to_be_visible()
    await page.wait_for_timeout(500)
    await expect(widget.panel.locator(".rating")).to_have_count(0)


async def test_a_polish_question_in_an_english_widget_finds_the_polish_articles(
    page: Page,
) -> None:
    widget = await (await Widget(page).ready()).open()
    await widget.search.fill("jak zresetować hasło")
    await expect(widget.results.first.locator(".result-title")).to_have_text("Jak zresetować hasło")
    await widget.search.press("Enter")
    suggestions = widget.log.locator(".suggestions .result-title")
    await expect(suggestions.first).to_have_text("Jak zresetować hasło")


async def test_the_transfer_reason_stays_with_the_team(
    page: Page, lonely_server: LiveServer, ann: ChatClient
) -> None:
    widget = await ask(page, "My invoice numbers jumped")
    await widget.button("Talk to a person").click()
    conversation_id = (await widget.storage("state"))["conversation_id"]
    await ann.send({"type": "accept", "conversation_id": conversation_id})
    await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")
    reason = "grumpy, suspects a bug in numbering"
    await ann.send(
        {
            "type": "transfer",
            "conversation_id": conversation_id,
            "team": "Support",
            "reason": reason,
        }
    )
    note = await ann.expect("message", text=f"Ann's reason for the transfer: {reason}")
    assert note["internal"] is True
    await expect(widget.message("Ann handed this conversation to Support.")).to_be_visible()
    await expect(widget.panel.get_by_text(reason)).to_have_count(0)


async def test_snippets_read_well_and_nonsense_finds_nothing(
    page: Page, host_page: HostPage, lonely_server: LiveServer
) -> None:
    widget = await (await Widget(page).ready()).open()
    snippets = widget.results.locator(".snippet")
    await widget.search.fill("reset password")
    await expect(widget.results.locator("mark", has_text="password").first).to_be_visible()
    for text in await snippets.all_inner_texts():
        assert "password If you" not in text  # a heading run into its paragraph
    await widget.search.fill("slack footer plans")
    await expect(widget.results.locator("mark", has_text="footer").first).to_be_visible()
    for text in await snippets.all_inner_texts():
        assert "✓ ✓" not in text
        assert "— ✓" not in text
    await widget.search.fill("xyzzy qwerty foo")
    await expect(widget.panel.get_by_text("No articles match")).to_be_visible()
    await expect(widget.results).to_have_count(0)

    polish = Widget(await host_page(host_html(tag(lonely_server, locale="pl"))))
    await (await polish.ready()).open()
    await polish.search.fill("hasło w aplikacji")
    await expect(polish.results.locator("mark", has_text="hasło").first).to_be_visible()
    marked = await polish.results.locator("mark").all_inner_texts()
    assert marked
    assert "w" not in [word.lower() for word in marked]
