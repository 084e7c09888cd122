"""axe-core on every state a visitor can see, in light and in dark: no violation of any impact.

The states, in the order a conversation reaches them: the closed bubble with its greeting, the
home view, search results, an article, the bot's suggestions, nobody online (the email card),
an agent's chat (an image, a shared article, typing), the rating, and a reply previewed beside
the closed bubble. The module has its own server, so nobody else is online when it matters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import (
    AGENT_EMAIL,
    AGENT_PASSWORD,
    HostPages,
    agent_says,
    host_html,
    screenshot,
    start_server,
    tag,
)
from tests.browser.test_widget_media import agent_sends_images
from tests.browser.widget import Widget
from tests.media import image_bytes
from tests.support.chat import agent_client, agent_token
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

AUDIT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map((n) => [n.target.join(" "), n.failureSummary])}));
}"""


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("a11y-server"))
    yield live
    live.stop()


async def audit(page: Page, state: str, found: dict[str, Any]) -> None:
    violations = await page.evaluate(AUDIT)
    if violations:
        found[state] = violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_widget_state_passes_axe(
    browser: Browser, own_server: LiveServer, host_pages: HostPages, axe_source: str, scheme: str
) -> None:
    server = own_server
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    await context.add_init_script(axe_source)
    found: dict[str, Any] = {}
    try:
        page = await context.new_page()
        html = host_html(
            "<main><h1>Shop</h1><p>Everything for your garden.</p></main>" + tag(server)
        )
        host_pages.pages[f"/a11y-{scheme}.html"] = html.encode()
        await page.goto(f"{host_pages.origin}/a11y-{scheme}.html")
        widget = await Widget(page).ready()
        await expect(widget.greeting).to_be_visible()
        await audit(page, "closed, greeting", found)

        await widget.open()
        await expect(widget.results.first).to_be_visible()
        await expect(widget.panel.locator(".team")).to_be_visible()
        await audit(page, "home", found)

        await widget.search.fill("reset password")
        await expect(widget.results.locator("mark").first).to_be_visible()
        await audit(page, "search results", found)

        await widget.results.first.click()
        await expect(widget.panel.locator(".article .feedback")).to_be_visible()
        await audit(page, "article", found)

        await widget.button("Back").click()
        await widget.search.fill("How do I export invoices to my accountant?")
        await widget.search.press("Enter")
        await expect(widget.log.locator(".suggestions .result").first).to_be_visible()
        await audit(page, "bot suggestions", found)

        await widget.button("Talk to a person").click()
        await expect(widget.panel.get_by_label("Your email")).to_be_visible()
        await audit(page, "nobody online", found)

        conversation_id = (await widget.storage("state"))["conversation_id"]
        token = await agent_token(server.url, AGENT_EMAIL, AGENT_PASSWORD)
        ann, _ = await agent_client(server.url, token)
        try:
            await ann.send({"type": "presence", "status": "online"})
            await ann.send({"type": "accept", "conversation_id": conversation_id})
            await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")
            article = f"Export to your accountant: {server.url}/help/articles/accounting-export"
            await agent_says(ann, conversation_id, f"Here you go:\n{article}")
            await agent_sends_images(
                server, ann, conversation_id, "Like this", image_bytes("PNG", size=(300, 200))
            )
            await expect(widget.log.locator(".article-card")).to_be_visible()
            await expect(widget.log.locator(".thumb img")).to_be_visible()
            await ann.send({"type": "typing", "conversation_id": conversation_id, "state": True})
            await expect(widget.panel.locator(".typing")).to_be_visible()
            await audit(page, "chat with an agent", found)
            await screenshot(page, f"chat-{scheme}")

            await ann.send({"type": "resolve", "conversation_id": conversation_id})
            await expect(widget.panel.locator(".rating")).to_be_visible()
            await audit(page, "rating", found)

            await page.keyboard.press("Escape")
            await ann.send({"type": "reopen", "conversation_id": conversation_id})
            await agent_says(
                ann, conversation_id, "One more thing: it also works for credit notes."
            )
            await expect(page.locator("parley-widget .greeting.preview")).to_be_visible()
            await audit(page, "closed, reply preview", found)
            await screenshot(page, f"preview-{scheme}")
            await ann.send({"type": "presence", "status": "away"})
        finally:
            await ann.close()
    finally:
        await context.close()
    assert found == {}
