"""Response-target clocks in the console: each open conversation shows its time left or how
long it is overdue, and the most urgent comes first, not the oldest."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Page, expect

from parley import clock
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in
from tests.support.chat import new_visitor, visitor_client

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]

POST_AS_CONSOLE = """async ([url, body]) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch(url, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
        body: JSON.stringify(body),
    });
    return response.status;
}"""


async def _asked_minutes_ago(
    live_url: str, name: str, minutes: int, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A visitor who asked for a person ``minutes`` ago (the server's clock, set back)."""
    real_now: Callable[[], datetime] = clock.now
    with monkeypatch.context() as patched:
        patched.setattr(clock, "now", lambda: real_now() - timedelta(minutes=minutes))
        visitor, _ = await visitor_client(live_url, await new_visitor(live_url, name=name))
        conversation_id = (await visitor.say("Hello?"))["conversation_id"]
        await visitor.send({"type": "handoff"})
        await visitor.expect("assigned", conversation_id=conversation_id)
        await visitor.close()
    return conversation_id


async def test_sla_badges_show_time_left_and_the_overdue_come_first(
    console_page: Page, live_url: str, make_agent: MakeAgent, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = console_page
    await sign_in(page, live_url, await make_agent("Ada", role="admin"))
    targets = "/api/v1/quality/sla/targets"
    hour = {"name": "Within the hour", "first_response_seconds": 3600}
    urgent = {
        "name": "Urgent",
        "applies_to": "label",
        "applies_value": "urgent",
        "first_response_seconds": 600,
    }
    for target in (hour, urgent):
        assert await page.evaluate(POST_AS_CONSOLE, [targets, target]) == 201

    await _asked_minutes_ago(live_url, "Olga Older", 40, monkeypatch)
    newer = await _asked_minutes_ago(live_url, "Una Urgent", 20, monkeypatch)
    label_url = f"/api/v1/console/conversations/{newer}/labels"
    assert await page.evaluate(POST_AS_CONSOLE, [label_url, {"label": "urgent"}]) == 200

    await page.reload()  # the clocks of both, fresh
    await page.get_by_role("tab", name="Mine").click()
    rows = page.locator("#conversation-list .row")
    await expect(rows).to_have_count(2)
    # Una asked later but her 10-minute target ran out: she comes first
    await expect(rows.nth(0)).to_contain_text("Una Urgent")
    await expect(rows.nth(0).locator(".sla")).to_have_text("Overdue 10m")
    await expect(rows.nth(0).locator(".sla")).to_have_class("sla sla-overdue")
    await expect(rows.nth(1)).to_contain_text("Olga Older")
    left = rows.nth(1).locator(".sla")  # 20 minutes, counting down by the second
    await expect(left).to_have_text(re.compile(r"^(19|20)m left$"))
    await expect(left).to_have_attribute(
        "aria-label", re.compile(r"^First response: (19|20)m left$")
    )
    await expect(left).to_have_class("sla sla-ok")
    await screenshot(page, "sla-badges")

    await rows.nth(1).click()  # answering Olga stops her clock
    composer = page.get_by_label("Reply")
    await composer.fill("Sorry for the wait!")
    await composer.press("Enter")
    await expect(rows.filter(has_text="Olga Older").locator(".sla")).to_have_count(0)
