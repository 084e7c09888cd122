"""The queue as a waiting visitor sees it: their place and the expected wait, kept current as
the people ahead are served, until an agent joins.

It needs to know exactly who is ahead, so it runs on a server of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import BrowserContext, expect

from tests.browser.conftest import AGENT_EMAIL, AGENT_PASSWORD, screenshot, start_server
from tests.browser.widget import ask
from tests.support.chat import ChatClient, agent_client, agent_token, new_visitor, visitor_client
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

SEATS = 3  # conversations an agent takes at once (the default capacity)


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("queue-server"))
    yield live
    live.stop()


async def test_queue_position_and_wait_follow_the_queue(
    context: BrowserContext, quiet_server: LiveServer
) -> None:
    server = quiet_server
    ann, _ = await agent_client(
        server.url, await agent_token(server.url, AGENT_EMAIL, AGENT_PASSWORD)
    )
    await ann.send({"type": "presence", "status": "online"})
    others: list[ChatClient] = []
    try:
        # Ann is online but busy: three visitors fill her seats and a fourth waits ahead.
        served: list[str] = []
        for n in range(SEATS + 1):
            visitor, _ = await visitor_client(server.url, await new_visitor(server.url))
            others.append(visitor)
            await visitor.say(f"Question number {n}")
            await visitor.send({"type": "handoff"})
            if n < SEATS:
                served.append((await visitor.expect("assigned"))["conversation_id"])
        await others[SEATS].expect("queue", position=1)

        page = await context.new_page()
        await page.goto(server.url + "/")
        widget = await ask(page, "Can someone check my invoice numbering?")
        await widget.button("Talk to a person").click()
        notice = widget.panel.locator(".notice")
        # No finished conversation yet: the estimate is five minutes a place.
        await expect(notice).to_have_text(
            "You're number 2 in the queue. Expected wait: about 10 minutes."
        )
        await expect(widget.panel.get_by_label("Your email")).to_have_count(0)  # someone is online
        await screenshot(page, "queue")

        # Ann finishes one: the visitor ahead takes her seat and this one is next, and the
        # estimate now comes from how long Ann really took.
        await ann.send({"type": "resolve", "conversation_id": served[0]})
        await others[SEATS].expect("assigned")
        await expect(notice).to_have_text("You're next in line. Expected wait: under a minute.")
        await screenshot(page, "queue-next")

        await ann.send({"type": "resolve", "conversation_id": served[1]})
        await expect(widget.panel.locator(".subtitle")).to_have_text("Chatting with Ann")
        await expect(notice).to_be_empty()
        await expect(widget.message("Ann joined the conversation.")).to_be_visible()
    finally:
        for client in [ann, *others]:
            await client.close()
