"""axe-core on every console and admin page, light and dark: no violation of any impact."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from parley.console.admin_pages import SECTIONS
from tests.browser.conftest import axe_source  # noqa: F401  (a fixture)
from tests.console.axe import violations
from tests.console.conftest import screenshot
from tests.console.test_console_browser import sign_in, visitor_asking_for_a_person

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]


async def test_every_console_and_admin_page_has_no_axe_violations(
    axe_page: Page,
    live_url: str,
    make_agent: MakeAgent,
    axe_source: str,  # noqa: F811
) -> None:
    page = axe_page
    found: list[str] = []
    await page.goto(f"{live_url}/console/login")  # an agent exists: the sign-in page
    await make_agent("Ann")
    await page.goto(f"{live_url}/console/login")
    found += await violations(page, axe_source, "sign-in")

    await sign_in(page, live_url, await make_agent("Ada", role="admin"))
    found += await violations(page, axe_source, "inbox, empty")
    visitor = await visitor_asking_for_a_person(live_url)
    await visitor.expect("assigned")
    await page.get_by_role("tab", name=re.compile("^Mine")).click()
    await page.locator("#conversation-list .row").first.click()
    await expect(page.locator("#messages .message").first).to_be_visible()
    await expect(page.locator("#kb-results li").first).to_be_visible()
    found += await violations(page, axe_source, "conversation")
    await page.emulate_media(color_scheme="dark")
    await screenshot(page, "conversation-dark")
    await page.emulate_media(color_scheme="light")

    for button, dialog in (
        ("Shortcuts (?)", "Keyboard shortcuts"),
        ("Saved replies", "Saved replies"),
        ("Reviews", "Reviews"),
        ("Library", "GIF & image library"),
        ("Known issue", "Known issues"),
        ("Ada", "Your account"),
    ):
        await page.get_by_role("button", name=button, exact=True).click()
        opened = page.get_by_role("dialog", name=dialog)
        await expect(opened).to_be_visible()
        found += await violations(page, axe_source, f"dialog {dialog}")
        await opened.get_by_role("button", name="Close").click()
        await expect(opened).to_be_hidden()

    await page.set_viewport_size({"width": 1024, "height": 800})  # the menu and the drawer
    await page.get_by_role("button", name="Menu").click()
    await page.get_by_role("button", name="Visitor details").click()
    found += await violations(page, axe_source, "conversation at 1024 px, menu and drawer")
    await page.set_viewport_size({"width": 1280, "height": 800})

    for section in SECTIONS:
        await page.goto(f"{live_url}/console/admin/{section}")
        await expect(page.locator(f"#section-{section}")).to_be_visible()
        await page.wait_for_load_state("networkidle")
        found += await violations(page, axe_source, f"admin {section}")
    await page.goto(f"{live_url}/console/reports")
    await page.wait_for_load_state("networkidle")
    found += await violations(page, axe_source, "reports")
    await page.goto(f"{live_url}/console/issues")
    await page.wait_for_load_state("networkidle")
    found += await violations(page, axe_source, "known issues")
    await visitor.close()
    assert found == [], "\n".join(found)
