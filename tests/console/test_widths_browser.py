"""The console and the admin pages at 1440, 1024 and 768 px in Chromium: no action lies outside
the viewport (or is clipped by its container), and screenshots of each page at each width are
kept under tests/artifacts/ for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from parley.console.admin_pages import SECTIONS
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in, visitor_asking_for_a_person

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
WIDTHS = (1440, 1024, 768)
HEIGHT = 800

# Every visible control under `scope` that reaches past the viewport's sides (or, when `whole`,
# its top and bottom too), or past the sides of a container that clips what overflows it.
OUTSIDE = """([scope, whole]) => {
  const width = document.documentElement.clientWidth, height = window.innerHeight;
  const controls = ":is(button, a[href], select, input:not([type=hidden]), textarea, [role=tab])";
  const offenders = [];
  for (const node of document.querySelectorAll(`${scope} ${controls}, ${scope}${controls}`)) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(node).visibility === "hidden") continue;
    let out = box.left < -0.5 || box.right > width + 0.5;
    if (whole) out ||= box.top < -0.5 || box.bottom > height + 0.5;
    for (let up = node.parentElement; up && !out; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === "visible") continue;
      const clip = up.getBoundingClientRect();
      out = box.left < clip.left - 0.5 || box.right > clip.right + 0.5;
    }
    const name = (node.textContent || node.id).trim();
    if (out) offenders.push(`${node.tagName.toLowerCase()} "${name}"`
      + ` at ${Math.round(box.left)}..${Math.round(box.right)} x ${Math.round(box.top)}`);
  }
  return offenders;
}"""


async def outside(page: Page, scope: str, *, whole: bool = False) -> list[str]:
    found: list[str] = await page.evaluate(OUTSIDE, [scope, whole])
    return found


async def test_no_action_lies_outside_the_viewport_at_any_width(
    console_page: Page, live_url: str, make_agent: MakeAgent
) -> None:
    page = console_page
    await make_agent("Ben")  # so the agents' table has a row with a password form
    await sign_in(page, live_url, await make_agent("Ada", role="admin"))
    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("assigned")
    await page.get_by_role("tab", name=re.compile("^Mine")).click()
    menu = page.get_by_role("button", name="Menu")

    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": HEIGHT})
        if width == 768 and await page.locator("#back-to-inbox").is_visible():
            await page.locator("#back-to-inbox").click()
        await expect(page.locator("#conversation-list .row")).to_be_visible()
        assert await outside(page, ".topbar", whole=True) == [], width
        await screenshot(page, f"inbox-{width}")

        await page.locator("#conversation-list .row").first.click()
        await expect(page.locator("#messages .message").first).to_be_visible()
        assert await outside(page, ".thread-header", whole=True) == [], width
        assert await outside(page, "#console") == [], width
        await screenshot(page, f"conversation-{width}")
        resolve = page.get_by_role("button", name="Resolve")
        await expect(resolve).to_be_in_viewport()

        if width < 1200:  # the bar's actions are in the menu
            await expect(page.get_by_role("button", name="Saved replies")).to_be_hidden()
            await menu.click()
            await expect(menu).to_have_attribute("aria-expanded", "true")
            assert await outside(page, ".topbar", whole=True) == [], width
            await screenshot(page, f"menu-{width}")
            await page.keyboard.press("Escape")
            await expect(menu).to_have_attribute("aria-expanded", "false")
            details = page.get_by_role("button", name="Visitor details")
            await details.click()
            await expect(page.locator("#visitor-details")).to_be_in_viewport()
            assert await outside(page, "#context") == [], width
            await screenshot(page, f"visitor-details-{width}")
            await details.click()
        else:
            await expect(menu).to_be_hidden()
            await expect(page.get_by_role("button", name="Saved replies")).to_be_in_viewport()
        if width == 768:  # one pane: the conversation, with the way back to the list
            await expect(page.locator(".inbox")).to_be_hidden()
            await page.get_by_role("button", name="Inbox").click()
            await expect(page.locator("#conversation-list")).to_be_visible()
            await expect(page.locator("#thread")).to_be_hidden()

    for section in SECTIONS:
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": HEIGHT})
            await page.goto(f"{live_url}/console/admin/{section}")
            await expect(page.locator(f"#section-{section}")).to_be_visible()
            await page.wait_for_load_state("networkidle")
            assert await outside(page, "body") == [], (section, width)
            await screenshot(page, f"admin-{section}-{width}")
    await visitor.close()
