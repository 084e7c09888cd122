"""A signed-in user of the host site: ``Parley.identify`` on ``parley:ready`` tells the server
who they are (verified by ``user_hash``), agents see it, and the user's conversation follows
them to another browser."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import HostPage, host_html, screenshot
from tests.browser.widget import Widget, ask
from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import agent_client, agent_token

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
SECRET = "identity-secret-for-tests-0123456789"


def identified_page(live_url: str, user_hash: str) -> str:
    profile = {
        "user_id": "user-42",
        "user_hash": user_hash,
        "name": "Nora Quinn",
        "email": "nora@example.com",
        "attributes": {"plan": "Pro"},
    }
    script = (
        f'<script>addEventListener("parley:ready", () => Parley.identify({json.dumps(profile)}))'
        "</script>"
    )
    return host_html(script + f'<script src="{live_url}/widget.js" async></script>')


async def test_an_identified_user_is_verified_for_agents_and_followed_across_browsers(
    host_page: HostPage,
    browser: Browser,
    live_url: str,
    make_agent: MakeAgent,
) -> None:
    async with httpx.AsyncClient(base_url=live_url) as admin:
        csrf = await signed_in_with_csrf(admin, await make_agent("Ada", "admin"))
        saved = await admin.put(
            "/api/v1/console/admin/settings",
            json={"identity_secret": SECRET},
            headers={"X-CSRF-Token": csrf},
        )
        assert saved.status_code == 200
    agent, _ = await agent_client(
        live_url, await agent_token(live_url, "ada@example.com", PASSWORD)
    )
    user_hash = hmac.new(SECRET.encode(), b"user-42", hashlib.sha256).hexdigest()

    page = await host_page(identified_page(live_url, user_hash))
    await ask(page, "How do I export my invoices?")
    summary = (await agent.expect("conversation", within=15))["conversation"]
    visitor = summary["visitor"]
    assert (visitor["name"], visitor["email"], visitor["verified"]) == (
        "Nora Quinn",
        "nora@example.com",
        True,
    )
    assert visitor["attributes"]["plan"] == "Pro"
    assert visitor["attributes"]["timezone"]  # the browser's, for the agent's "local time"
    await screenshot(page, "identified")

    elsewhere = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = await elsewhere.new_page()
        await other.goto(page.url)  # the same customer page, in a browser with no storage
        widget = await (await Widget(other).ready()).open()
        await widget.button("Continue your conversation").click()
        await expect(widget.message("How do I export my invoices?")).to_be_visible(timeout=15_000)
    finally:
        await elsewhere.close()
    await agent.close()
