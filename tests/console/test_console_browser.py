"""The console in Chromium against a live server, with a real visitor on ``/ws/visitor``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from parley.config import Settings
from parley.conversation import store as conversation_store
from parley.db import Database
from parley.db.schema import search_log
from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.support.chat import ChatClient, new_visitor, visitor_client
from tests.support.factories import new_conversation

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


async def create_saved_reply_over_api(page: Page, shortcut: str, body: str) -> None:
    """Through the API with the page's own session and CSRF token, as the console would."""
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
        [shortcut, body],
    )
    assert status == 201


async def create_saved_reply(page: Page, shortcut: str, title: str, body: str) -> None:
    """In the Saved replies dialog, as an agent would."""
    await page.get_by_role("button", name="Saved replies").click()
    dialog = page.get_by_role("dialog", name="Saved replies")
    await dialog.get_by_label("Shortcut").fill(shortcut)
    await dialog.get_by_label("Title").fill(title)
    await dialog.get_by_label("Text").fill(body)
    await dialog.get_by_role("button", name="Add reply").click()
    await expect(dialog.get_by_role("listitem").filter(has_text=f"/{shortcut}")).to_be_visible()
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_be_hidden()


# Records each Notification the page shows, then shows it for real.
NOTIFICATION_SPY = """
    window.shownNotifications = [];
    const Real = window.Notification;
    window.Notification = class extends Real {
        constructor(title, options) {
            super(title, options);
            window.shownNotifications.push(title);
        }
        static get permission() { return Real.permission; }
        static requestPermission() { return Real.requestPermission(); }
    };
"""


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


async def logged_searches(
    settings: Settings, until: Callable[[set[tuple[str, str]]], bool]
) -> None:
    """Wait until the search log's ``(source, query)`` pairs satisfy ``until``."""
    db = Database(settings.resolved_database_url)
    try:
        for _ in range(50):
            async with db.read() as conn:
                rows = await conn.execute(select(search_log.c.source, search_log.c.query))
                found = {(source, query) for source, query in rows}
            if until(found):
                return
            await asyncio.sleep(0.1)
    finally:
        await db.close()
    raise AssertionError(f"the search log never got there: {found}")


async def test_an_agent_answers_a_visitor_from_the_console(
    console_page: Page, live_url: str, make_agent: MakeAgent, settings: Settings
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
    await expect(page.get_by_label("Search articles")).to_have_value(
        re.compile("My invoice is wrong")
    )
    # The panel's own search for the visitor's words is marked apart from what an agent types
    # (and from the bot's search for the same words), so reports' top searches leave it out.
    question = "my invoice is wrong, see https://shop.example/invoices/7"
    await page.get_by_label("Search articles").fill("refund policy")
    await logged_searches(
        settings,
        lambda found: (
            {("agent_prefill", question), ("bot", question), ("agent", "refund policy")} <= found
        ),
    )

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
    await visitor.close()


async def earlier_conversation(settings: Settings, email: str, text: str) -> None:
    """A self-served, resolved conversation of another visitor who gave the same email."""
    db = Database(settings.resolved_database_url)
    try:
        conversation = await new_conversation(db, status="resolved", name="V.", email=email)
        await conversation_store.append_message(
            db, conversation.id, client_id=None, author_kind="visitor", author_id=None,
            author_name="V.", text=text,
        )  # fmt: skip
    finally:
        await db.close()


async def test_a_queued_conversation_from_arrival_to_rating_and_reopening(
    console_page: Page, live_url: str, make_agent: MakeAgent, settings: Settings
) -> None:
    """The whole working day of one conversation: it appears in the queue live, is accepted,
    answered with a saved reply and an article, noted, labelled, transferred, resolved, rated,
    found again and reopened."""
    page = console_page
    await page.context.grant_permissions(["notifications"], origin=live_url)
    await page.add_init_script(NOTIFICATION_SPY)
    await sign_in(page, live_url, await make_agent())
    await page.get_by_label("Notify me").check()
    await page.get_by_label("Presence").select_option("away")  # so nobody is assigned it
    await earlier_conversation(settings, "Vera@example.com", "Where is my parcel?")
    await page.wait_for_timeout(200)
    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("queue")

    row = page.locator(".row", has_text="Vera")
    await expect(row).to_be_visible()  # live, without a reload
    await expect(row.locator(".row-wait")).to_have_text(re.compile(r"^\d+s$"))  # a live wait time
    await expect(row.locator(".unread")).to_have_text(re.compile(r"^[1-9]\d*$"))
    await expect(page).to_have_title(re.compile(r"^\(\d+\) Parley console$"))
    shown = await page.evaluate("window.shownNotifications")
    assert "New conversation in the queue" in shown
    await page.locator("#thread-empty").click()  # away from the fields
    await page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(help_dialog).to_be_visible()
    await screenshot(page, "help")
    await page.keyboard.press("Escape")
    await expect(help_dialog).to_be_hidden()
    await page.keyboard.press("j")
    await expect(page.get_by_label("Reply")).not_to_be_focused()  # so j/k can repeat
    await page.locator("#accept").click()
    await visitor.expect("assigned")
    await expect(page.locator("#thread-status")).to_have_text("Assigned")
    await expect(row.locator(".unread")).to_have_count(0)  # read on opening
    await expect(page).to_have_title("Parley console")
    await screenshot(page, "accepted")

    # Earlier conversations with the same email, opened read-only from the visitor panel.
    earlier = page.get_by_role("region", name="Earlier conversations")
    await expect(earlier).to_contain_text("Same email, another visitor")
    await earlier.get_by_role("button", name=re.compile("Where is my parcel")).click()
    await expect(page.locator("#messages")).to_contain_text("Where is my parcel?")
    await expect(page.locator("#thread-status")).to_have_text("Resolved")
    await expect(page.get_by_label("Reply")).to_be_hidden()
    await page.get_by_role("tab", name="Mine").click()
    await row.click()

    # A saved reply made in the dialog, picked with /shortcut, placeholders filled.
    await create_saved_reply_over_api(page, "ref-old", "old text")  # sorts first: arrows matter
    await create_saved_reply(
        page,
        "refund",
        "Refund issued",
        "Hi {{visitor.first_name}}, {{agent.name}} here: refunded. Receipt to {{visitor.email}}.",
    )
    composer = page.get_by_label("Reply")
    await composer.fill("/ref")
    picker = page.get_by_role("listbox", name="Saved replies")
    await expect(picker.get_by_role("option")).to_have_count(2)
    await screenshot(page, "saved-reply-picker")
    await composer.press("ArrowDown")
    await composer.press("Enter")  # inserts, does not send
    filled = "Hi Vera, Ann here: refunded. Receipt to vera@example.com."
    await expect(composer).to_have_value(filled)
    await composer.press("Enter")
    await visitor.expect("message", text=filled)

    # An internal note: shown apart, never on the visitor's socket.
    await page.get_by_label("Note").check()
    await composer.fill("Refund needs approval")
    await composer.press("Enter")
    note = page.locator("#messages .message.note", has_text="Refund needs approval")
    await expect(note).to_be_visible()
    await page.get_by_label("Note").uncheck()

    # A knowledge-base article, inserted and sent.
    await page.get_by_label("Search articles").fill("invoice numbering")
    articles = page.get_by_role("list", name="Articles").get_by_role("button")
    await expect(articles.first).to_have_text("Invoice numbering")  # not the prefill's results
    await articles.first.click()
    article_link = f"Invoice numbering: {live_url}/help/articles/invoice-numbering"
    await expect(composer).to_have_value(article_link)
    await composer.press("Enter")
    await visitor.expect("message", text=article_link)

    # Labels: cleaned, shown on the header and the inbox row.
    await page.get_by_label("Add label").fill("  Billing ")
    await page.get_by_label("Add label").press("Enter")
    await expect(page.locator("#labels .chip", has_text="billing")).to_be_visible()
    await page.get_by_role("tab", name="Mine").click()
    await expect(row.locator(".chip")).to_have_text("billing")
    await screenshot(page, "conversation")

    # Transfer to the team with a reason; nobody is online, so it waits in the queue.
    await page.get_by_label("Transfer to", exact=True).select_option(label="Support")
    await page.get_by_label("Transfer reason").fill("needs billing rights")
    await page.get_by_role("button", name="Transfer", exact=True).click()
    handed = "Ann handed this conversation to Support."
    assert (await visitor.expect("message", text=handed))["author"]["kind"] == "system"
    # The reason is the team's: a note in the thread, never shown to the visitor.
    await expect(page.locator("#messages")).to_contain_text("needs billing rights")
    await expect(page.locator("#thread-status")).to_have_text("Queued")

    await page.locator("#messages").click()  # leave the reply box: shortcuts are for the page
    await page.keyboard.press("e")
    await visitor.expect("status", status="resolved")
    await visitor.send({"type": "rate", "score": 4, "comment": "quick"})
    details = page.locator("#visitor-details")
    await expect(details).to_contain_text("4/5")
    await expect(details).to_contain_text("quick")
    await screenshot(page, "resolved")
    frames = await visitor.collect(0.3)
    assert not any("Refund needs approval" in str(frame) for frame in frames + visitor.inbox)
    assert not any("needs billing rights" in str(frame) for frame in frames + visitor.inbox)

    # Found again by search, by label; reopened from the Resolved tab.
    search = page.get_by_role("search", name="Conversations")
    await search.get_by_label("Search conversations").fill("VERA@example")
    await expect(page.locator("#search-status")).to_have_text("2 conversations found")
    await expect(row.locator(".row-status")).to_have_text("Resolved")
    await search.get_by_label("Search conversations").fill("100%")
    await expect(page.locator("#search-status")).to_have_text("No conversations match.")
    await search.get_by_label("Search conversations").fill("")
    await page.locator("#labels .chip-filter", has_text="billing").click()
    await expect(search.get_by_label("Label")).to_have_value("billing")
    await expect(row).to_be_visible()
    await screenshot(page, "search")
    await page.get_by_role("tab", name="Resolved").click()
    await expect(row.locator(".row-status")).to_have_text("Resolved")
    await row.click()
    await expect(page.get_by_label("Reply")).to_be_hidden()  # read-only until reopened
    await page.get_by_role("button", name="Reopen").click()
    await visitor.expect("status", status="assigned")
    await expect(page.locator("#thread-status")).to_have_text("Assigned")
    await expect(details).not_to_contain_text("4/5")  # a fresh rating is asked for next time
    await expect(page.get_by_label("Reply")).to_be_visible()
    await visitor.close()


async def test_saved_replies_are_edited_and_deleted_in_their_dialog(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent())
    await create_saved_reply(page, "hello", "Hello", "Hello {{visitor.name}}!")
    await page.get_by_role("button", name="Saved replies").click()
    dialog = page.get_by_role("dialog", name="Saved replies")
    await dialog.get_by_role("button", name="Edit /hello").click()
    await expect(dialog.get_by_label("Title")).to_have_value("Hello")
    await dialog.get_by_label("Shortcut").fill("hi")
    await dialog.get_by_role("button", name="Save changes").click()
    await expect(dialog.get_by_role("button", name="Edit /hi")).to_be_visible()
    await dialog.get_by_label("Shortcut").fill("hi")  # taken: the server's message is shown
    await dialog.get_by_label("Title").fill("Again")
    await dialog.get_by_label("Text").fill("Again")
    await dialog.get_by_role("button", name="Add reply").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("/hi is taken")
    await screenshot(page, "saved-replies")
    page.once("dialog", lambda confirm: confirm.accept())
    await dialog.get_by_role("button", name="Delete /hi").click()
    await expect(dialog.get_by_text("No saved replies yet.")).to_be_visible()
