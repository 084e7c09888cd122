"""The console in Chromium against a live server, with a real visitor on ``/ws/visitor``."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.support.chat import ChatClient, new_visitor, visitor_client

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]


async def sign_in(page: Page, live_url: str, email: str) -> None:
    await page.goto(f"{live_url}/console")
    await expect(page).to_have_url(f"{live_url}/console/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{live_url}/console")
    await expect(page.locator("#connection")).to_have_text("Connected")


async def visitor_asking_for_a_person(live_url: str) -> ChatClient:
    token = await new_visitor(
        live_url,
        name="Vera <b>Visitor</b>",
        email="vera@example.com",
        page_url="https://shop.example/pricing",
        attributes={"plan": "pro"},
    )
    visitor, _ = await visitor_client(live_url, token)
    await visitor.say("My invoice is wrong, see https://shop.example/invoices/7")
    await visitor.send({"type": "handoff"})
    return visitor


async def create_saved_reply(page: Page, shortcut: str, body: str) -> None:
    """Through the API with the page's own session and CSRF token, as the console would."""
    for name in ("ref-old", shortcut):  # "ref-old" sorts first, so the arrow key matters
        status = await page.evaluate(
            """async ([shortcut, body]) => {
                const token = document.querySelector('meta[name="csrf-token"]').content;
                const response = await fetch("/api/v1/console/saved-replies", {
                    method: "POST",
                    headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
                    body: JSON.stringify({shortcut, title: shortcut, body}),
                });
                return response.status;
            }""",
            [name, body if name == shortcut else "old text"],
        )
        assert status == 201


async def test_wrong_password_in_the_browser_shows_the_message(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    email = await make_agent()
    await console_page.goto(f"{live_url}/console/login")
    await console_page.get_by_label("Email").fill(email)
    await console_page.get_by_label("Password").fill("not the password")
    await console_page.get_by_role("button", name="Sign in").click()
    await expect(console_page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await screenshot(console_page, "login-error")


async def test_an_agent_answers_a_visitor_from_the_console(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent())
    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("assigned")  # the agent is online on connect, so it is theirs

    await page.get_by_role("tab", name="Mine").click()
    row = page.locator(".row", has_text="Vera <b>Visitor</b>")  # typed text stays text
    await expect(row).to_be_visible()
    await row.click()
    messages = page.locator("#messages .message")
    await expect(messages.filter(has_text="My invoice is wrong")).to_be_visible()
    link = page.locator("#messages a", has_text="https://shop.example/invoices/7")
    await expect(link).to_have_attribute("href", "https://shop.example/invoices/7")
    details = page.locator("#visitor-details")
    await expect(details).to_contain_text("vera@example.com")
    await expect(details).to_contain_text("pro")
    await expect(details).to_contain_text("Browser")  # the user agent, as browser and OS

    bot_offered = page.get_by_role("list", name="Bot suggestions").get_by_role("button")
    await expect(bot_offered.first).to_be_visible()  # from the bot message's `suggestions`
    kb = page.get_by_role("search")
    await expect(kb.get_by_label("Search articles")).to_have_value(
        re.compile("My invoice is wrong")
    )
    await kb.get_by_label("Search articles").fill("invoice numbering")
    article = page.get_by_role("list", name="Articles").get_by_role(
        "button", name="Invoice numbering"
    )
    await article.click()
    await expect(page.get_by_label("Reply")).to_have_value(
        f"Invoice numbering: {live_url}/help/articles/invoice-numbering"
    )
    await page.get_by_label("Reply").fill("")

    await visitor.send({"type": "typing", "state": True})
    await expect(page.get_by_text("Visitor is typing…")).to_be_visible()

    composer = page.get_by_label("Reply")
    await composer.fill("Sorry about that!")
    await visitor.expect("typing", by="agent", state=True)
    await composer.press("Shift+Enter")
    await composer.type("Let me check.")
    await composer.press("Enter")
    reply = await visitor.expect("message", text="Sorry about that!\nLet me check.")
    assert reply["author"]["kind"] == "agent"
    await visitor.send({"type": "read", "seq": reply["seq"]})
    await expect(page.locator("#messages .seen")).to_have_text("Seen")

    await create_saved_reply(page, "refund", "Hi {{visitor.name}}, {{agent.name}} here: refunded.")
    await composer.fill("/ref")
    picker = page.get_by_role("listbox", name="Saved replies")
    await expect(picker.get_by_role("option")).to_have_count(2)
    await screenshot(page, "saved-reply-picker")
    await composer.press("ArrowDown")
    await composer.press("Enter")  # inserts, does not send
    await expect(composer).to_have_value("Hi Vera <b>Visitor</b>, Ann here: refunded.")
    await composer.press("Enter")
    await visitor.expect("message", text="Hi Vera <b>Visitor</b>, Ann here: refunded.")

    await page.get_by_label("Note").check()
    await composer.fill("Refund needs approval")
    await composer.press("Enter")
    note = page.locator("#messages .message.note", has_text="Refund needs approval")
    await expect(note).to_be_visible()
    await screenshot(page, "conversation")

    await page.locator("#messages").click()  # leave the reply box: shortcuts are for the page
    await page.keyboard.press("e")
    await visitor.expect("status", status="resolved")
    await visitor.send({"type": "rate", "score": 4, "comment": "quick"})
    await expect(details).to_contain_text("4/5")
    await screenshot(page, "resolved")
    frames = await visitor.collect(0.3)
    seen_texts = [frame.get("text", "") for frame in frames + visitor.inbox]
    assert not any("Refund needs approval" in text for text in seen_texts)
    await visitor.close()


async def test_the_queue_shows_waiting_conversations_to_an_away_agent(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await make_agent("Bob")  # offline: only a transfer gives him the conversation
    await sign_in(page, live_url, await make_agent())
    await page.get_by_label("Presence").select_option("away")
    await page.wait_for_timeout(200)
    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("queue")
    row = page.locator(".row", has_text="Vera")
    await expect(row).to_be_visible()
    await expect(row.locator(".row-wait")).to_have_text(re.compile(r"^\d+s$"))  # a live wait time
    await expect(row.locator(".unread")).to_have_text(re.compile(r"^[1-9]\d*$"))
    await page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(help_dialog).to_be_visible()
    await screenshot(page, "help")
    await page.keyboard.press("Escape")
    await expect(help_dialog).to_be_hidden()
    await page.keyboard.press("j")
    await expect(page.get_by_label("Reply")).not_to_be_focused()  # so j/k can repeat
    await expect(page.locator("#accept")).to_be_visible()
    await page.locator("#accept").click()
    await visitor.expect("assigned")
    await expect(page.locator("#thread-status")).to_have_text("Assigned")
    await expect(row.locator(".unread")).to_have_count(0)  # read on opening
    await screenshot(page, "accepted")
    await page.get_by_label("Transfer to").select_option(label="Bob")
    await page.get_by_role("button", name="Transfer", exact=True).click()
    transferred = await visitor.expect("assigned")
    assert transferred["agent"]["name"] == "Bob"
    await expect(page.get_by_role("tab", name="Mine")).to_contain_text("0")
    await visitor.close()
