"""Admin → Mail in Chromium: with no mail server configured, the reply Parley would have mailed
is held in the outbox and an admin reads it there; agents are refused the outbox, and each
agent turns their own mail off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from playwright.async_api import Page, expect

from parley.config import Settings
from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.console.forms import signed_in_with_csrf
from tests.console.test_console_browser import sign_in
from tests.support.chat import agent_client, agent_token, new_visitor, visitor_client

MakeAgent = Callable[..., Awaitable[str]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(mail_unseen_minutes=0)


async def mailed_reply(live_url: str, agent_email: str) -> None:
    token = await new_visitor(live_url, name="<b>Vera</b>", email="vera@example.com")
    visitor, _ = await visitor_client(live_url, token)
    await visitor.say("Where is my parcel?")
    await visitor.send({"type": "handoff"})
    status = await visitor.expect("status", status="queued")
    await visitor.close()
    agent, _ = await agent_client(live_url, await agent_token(live_url, agent_email, PASSWORD))
    await agent.send(
        {
            "type": "message",
            "conversation_id": status["conversation_id"],
            "client_id": "a1",
            "text": "It left the warehouse <today>.",
        }
    )
    await agent.expect("ack", client_id="a1")
    await agent.close()


@pytest.mark.browser
async def test_an_admin_reads_the_held_mail_and_turns_her_own_mail_off(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    admin = await make_agent("Ada", "admin")
    await mailed_reply(live_url, admin)
    await sign_in(page, live_url, admin)
    mail_me = page.get_by_label("Mail me when a conversation waits with nobody online")
    await page.locator("#account-button").click()
    await expect(mail_me).to_be_checked()
    await mail_me.uncheck()
    await page.reload()
    await page.locator("#account-button").click()
    await expect(mail_me).not_to_be_checked()

    await page.goto(f"{live_url}/console/admin/mail")
    await expect(page.get_by_role("heading", name="Mail")).to_be_visible()
    row = page.locator("#mail-rows tr", has_text="vera@example.com")
    await expect(row).to_contain_text("held", timeout=10_000)
    await expect(page.locator("#mail-state")).to_contain_text("No PARLEY_SMTP_URL")
    await row.get_by_role("button").click()
    shown = page.locator("#mail-shown")
    await expect(shown).to_contain_text("It left the warehouse <today>.")  # text, not markup
    await expect(shown).to_contain_text("Reply-To reply+cnv_")
    await screenshot(page, "admin-mail")


async def test_the_outbox_is_for_admins_and_mail_can_be_turned_off(
    live_url: str, make_agent: MakeAgent
) -> None:
    email = await make_agent("Sam")
    async with httpx.AsyncClient(base_url=live_url) as console:  # the agent's browser
        csrf = await signed_in_with_csrf(console, email)
        assert (await console.get("/api/v1/console/admin/mail")).status_code == 403
        assert (await console.get("/api/v1/console/me/mail")).json() == {"enabled": True}
        forged = await console.put("/api/v1/console/me/mail", json={"enabled": False})
        assert forged.status_code == 403  # no CSRF header: another site's request
        assert (await console.get("/api/v1/console/me/mail")).json() == {"enabled": True}
        turned_off = await console.put(
            "/api/v1/console/me/mail", json={"enabled": False}, headers={"x-csrf-token": csrf}
        )
        assert turned_off.json() == {"enabled": False}
        assert (await console.get("/api/v1/console/me/mail")).json() == {"enabled": False}
