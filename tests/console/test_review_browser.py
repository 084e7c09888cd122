"""One full peer review in the console: Ann opens this week's review of a conversation Bob
handled, reads the thread beside the scorecard, scores and comments; Bob sees it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from tests.conftest import PASSWORD
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in
from tests.support.chat import agent_client, agent_token, new_visitor, visitor_client

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
SCORES = {"Empathy": "5", "Solution": "3", "Tone": "4", "Use of GIFs": "1"}


async def test_a_colleague_reviews_a_resolved_conversation(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    bob_email, ann_email = await make_agent("Bob"), await make_agent("Ann")
    bob, _ = await agent_client(live_url, await agent_token(live_url, bob_email, PASSWORD))
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url, name="Vera"))
    conversation_id = (await visitor.say("My invoice is wrong"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned", conversation_id=conversation_id)
    await bob.say("Fixed it, sorry!", conversation_id=conversation_id)
    await bob.send({"type": "resolve", "conversation_id": conversation_id})
    await visitor.expect("status", status="resolved")
    await bob.close()
    await visitor.close()

    await sign_in(page, live_url, ann_email)
    await page.get_by_role("button", name="Reviews").click()
    dialog = page.get_by_role("dialog", name="Reviews")
    await dialog.get_by_role("button", name="A conversation Bob handled").click()
    thread = dialog.get_by_role("list", name="The conversation (read-only)")
    await expect(thread).to_contain_text("My invoice is wrong")
    await expect(thread).to_contain_text("Fixed it, sorry!")
    scorecard = dialog.get_by_role("form", name="Scorecard")
    for criterion, score in SCORES.items():
        group = scorecard.get_by_role("group", name=criterion)
        await group.get_by_label(score, exact=True).check()
    await scorecard.get_by_label("Comment").fill("Quick fix; a screenshot would have helped.")
    await screenshot(page, "review-screen")
    await scorecard.get_by_role("button", name="Submit review").click()
    # 25 * 4/4 + 35 * 2/4 + 20 * 3/4 + 20 * 0 = 57.5
    await expect(scorecard.get_by_role("heading")).to_have_text("Scored: IQS 57.5")
    await expect(scorecard.get_by_role("button", name="Submit review")).to_be_hidden()
    await dialog.get_by_role("button", name="Close").click()

    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, live_url, bob_email)
    await page.get_by_role("button", name="Reviews").click()
    await dialog.get_by_role("tab", name="About my work").click()
    mine = dialog.locator(".review-item")
    await expect(mine).to_contain_text("Reviewed by Ann")
    await expect(mine).to_contain_text("IQS 57.5")
    await expect(mine).to_contain_text("a screenshot would have helped")
