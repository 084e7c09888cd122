"""The widget against the real server: answers first, a person next, and nothing lost.

Most run on the server's demo page; ``test_chat_from_another_origin`` embeds it on another
origin, as a customer's site would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
from tests.browser.widget import Widget, ask
from tests.support.chat import ChatClient, agent_client, agent_token
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

# A screen to "capture": Chromium's real picker needs a person, so the test hands over a stream.
FAKE_DISPLAY = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const canvas = Object.assign(document.createElement("canvas"), {width: 320, height: 200});
  const paint = canvas.getContext("2d");
  paint.fillStyle = "#0a7"; paint.fillRect(0, 0, 320, 200);
  setInterval(() => paint.fillRect(Math.random() * 300, 0, 4, 4), 30);
  return canvas.captureStream(30);
};
"""


async def test_nobody_online_leaves_an_email(demo_page: Page, server: LiveServer) -> None:
    page = demo_page
    widget = await ask(page, "Can I export invoices to my accountant?")
    await widget.button("Talk to a person").click()
    email = widget.panel.get_by_label("Your email")
    await expect(email).to_be_visible()
    await email.fill("not-an-email")
    await widget.panel.locator(".offline").get_by_role("button", name="Send").click()
    await expect(widget.panel.get_by_text("Please enter a valid email address.")).to_be_visible()
    await email.fill("visitor@example.com")
    await screenshot(page, "offline-form")
    await widget.panel.locator(".offline").get_by_role("button", name="Send").click()
    await expect(widget.message("visitor@example.com")).to_be_visible()
    await expect(email).to_have_count(0)

    # Stored with the conversation: the first agent to sign in sees whom to write back to.
    conversation_id = (await widget.storage("state"))["conversation_id"]
    token = await agent_token(server.url, AGENT_EMAIL, AGENT_PASSWORD)
    agent, welcome = await agent_client(server.url, token)
    await agent.close()
    waiting = {summary["id"]: summary for summary in welcome["conversations"]}
    assert waiting[conversation_id]["visitor"]["email"] == "visitor@example.com"


async def test_ask_then_talk_to_a_person(
    demo_page: Page, server: LiveServer, agent: ChatClient
) -> None:
    page = demo_page
    widget = await ask(page, "How do I reset my password?")
    await expect(widget.panel.locator(".suggestions")).to_be_visible()
    await screenshot(page, "suggestions")
    await widget.button("Talk to a person").click()
    conversation_id = (await widget.storage("state"))["conversation_id"]
    await agent.send({"type": "accept", "conversation_id": conversation_id})
    await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")

    await agent.send({"type": "typing", "conversation_id": conversation_id, "state": True})
    await expect(widget.panel.locator(".typing")).to_have_text("Ann is typing…")
    await agent_says(agent, conversation_id, "Hi! Try https://example.com/reset.")
    reply = widget.message("Hi! Try")
    await expect(reply.locator(".author")).to_have_text("Ann")
    link = reply.locator("a")
    await expect(link).to_have_attribute("href", "https://example.com/reset")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(widget.panel.locator(".typing")).to_be_hidden()

    # Whatever people type is text, never markup.
    await agent_says(agent, conversation_id, "<img src=x onerror=alert(1)><b>bold</b>")
    await expect(widget.message("<b>bold</b>")).to_be_visible()
    assert await widget.log.locator("img, b").count() == 0

    # Enter sends, Shift+Enter is a new line; the agent reads it, the visitor sees "Seen".
    await widget.composer.type("line one")
    await widget.composer.press("Shift+Enter")
    await widget.composer.type("line two")
    await widget.composer.press("Enter")
    received = await agent.expect("message", text="line one\nline two")
    await agent.send({"type": "read", "conversation_id": conversation_id, "seq": received["seq"]})
    await expect(widget.message("line one").locator(".receipt")).to_have_text("Seen")
    await screenshot(page, "chat")

    # Closed panel: an agent message raises the unread badge; opening reads it.
    await page.keyboard.press("Escape")
    await agent_says(agent, conversation_id, "Did that work?")
    await expect(widget.badge).to_have_text("1")
    await expect(widget.launcher).to_have_attribute(
        "aria-label", "Open support chat – 1 unread message"
    )
    await widget.launcher.click()
    await expect(widget.badge).to_be_hidden()
    await agent.expect("read", conversation_id=conversation_id, by="visitor")

    await agent.send({"type": "resolve", "conversation_id": conversation_id})
    rating = widget.panel.locator(".rating")
    await expect(rating).to_be_visible()
    await rating.locator(".star").nth(3).click()
    await rating.get_by_label("Comment (optional)").fill("Quick and kind")
    await screenshot(page, "rating")
    await rating.get_by_role("button", name="Send rating").click()
    await expect(widget.panel.get_by_text("Thanks for rating us!")).to_be_visible()


@pytest.fixture
def restartable_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of the test's own: it stops and restarts it, and however the test ends, the
    server every other test shares stays up."""
    live = start_server(tmp_path)
    yield live
    live.stop()


async def test_offline_outbox_survives_a_server_restart_and_a_reload(
    context: BrowserContext, restartable_server: LiveServer
) -> None:
    server = restartable_server
    page = await context.new_page()
    await page.goto(server.url + "/")
    widget = await ask(page, "Where do I change my billing address?")
    server.stop()
    await expect(widget.panel.locator(".notice")).to_have_text("Connection lost. Reconnecting…")
    await widget.composer.fill("Typed while the server was down")
    await widget.composer.press("Enter")
    pending = widget.message("Typed while the server was down")
    await expect(pending).to_have_class("msg from-visitor pending")
    outbox = await widget.storage("outbox")
    assert [item["text"] for item in outbox] == ["Typed while the server was down"]
    await screenshot(page, "pending")

    server.start()
    await expect(pending).not_to_have_class("msg from-visitor pending", timeout=20_000)
    # The message's echo shows it stored; the ack that empties the outbox follows the bot's
    # turn (its search, its reply, its log row), so it may come a moment later.
    await page.wait_for_function(
        "() => localStorage.getItem('parley:outbox') === '[]'", timeout=20_000
    )
    assert await widget.storage("outbox") == []

    # A reload reopens the panel on the same conversation; the replay shows each message once.
    await page.reload()
    await expect(widget.panel).to_be_visible()
    await expect(widget.message("Typed while the server was down")).to_have_count(1)
    await expect(widget.message("Where do I change my billing address?")).to_have_count(1)
    await expect(widget.message("Typed while the server was down")).not_to_have_class(
        "msg from-visitor pending"
    )

    # A plain restart while connected: the socket comes back by itself.
    server.restart()
    await widget.composer.fill("After the restart")
    await widget.composer.press("Enter")
    await expect(widget.message("After the restart")).not_to_have_class(
        "msg from-visitor pending", timeout=20_000
    )


async def test_search_as_you_type_and_read_an_article(demo_page: Page, server: LiveServer) -> None:
    page = demo_page
    searches: list[str] = []
    page.on("request", lambda r: "/api/v1/kb/search" in r.url and searches.append(r.url))
    widget = await (await Widget(page).ready()).open()
    heading = widget.panel.locator(".section-title")
    await expect(heading).to_have_text("Popular articles")
    await expect(widget.results.first).to_be_visible()
    await widget.search.press_sequentially("passw", delay=20)  # faster than the debounce
    await expect(heading).to_have_text("Articles")
    await expect(widget.results.first).to_be_visible()
    assert len(searches) == 1
    await widget.results.first.click()  # an article, or an FAQ entry that opens its article
    article = widget.panel.locator(".article")
    await expect(article.locator(".feedback")).to_be_visible()
    assert (await article.locator(".article-title").inner_text()).strip()
    await expect(article.locator(".article-body")).not_to_be_empty()
    await screenshot(page, "article")
    await article.get_by_role("button", name="Yes").click()
    await expect(article.get_by_text("Thanks for your feedback!")).to_be_visible()
    await widget.button("Back").click()
    await expect(widget.search).to_have_value("passw")


async def test_screenshot_and_paste_preview_then_send(
    context: BrowserContext, server: LiveServer
) -> None:
    await context.add_init_script(FAKE_DISPLAY)
    page = await context.new_page()
    await page.goto(server.url + "/")
    widget = await ask(page, "The invoice page looks broken")
    preview = widget.panel.locator(".preview")

    await widget.panel.get_by_role("button", name="Share screenshot").click()
    await expect(preview).to_be_visible()
    size = await preview.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert size == 320
    await screenshot(page, "screenshot-preview")
    await preview.get_by_role("button", name="Cancel").click()
    await expect(preview).to_be_hidden()

    await widget.composer.evaluate(
        """async (textarea) => {
          const png = await new Promise((resolve) =>
            Object.assign(document.createElement("canvas"), {width: 8, height: 8}).toBlob(resolve));
          const data = new DataTransfer();
          data.items.add(new File([png], "pasted.png", {type: "image/png"}));
          textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }"""
    )
    await expect(preview).to_be_visible()
    await preview.get_by_role("button", name="Send").click()
    await expect(widget.log.locator(".msg.from-visitor .thumb img")).to_be_visible()
    await expect(widget.log.locator(".msg.from-visitor.pending")).to_have_count(0)


async def test_chat_from_another_origin(host_page: HostPage, server: LiveServer) -> None:
    page = await host_page(host_html(tag(server)))
    widget = await (await Widget(page).ready()).open()
    await widget.search.fill("Hello from a customer's site")
    await widget.search.press("Enter")
    question = widget.message("Hello from a customer's site")
    await expect(question).not_to_have_class("msg from-visitor pending", timeout=5_000)
