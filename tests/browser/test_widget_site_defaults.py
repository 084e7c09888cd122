"""The look an admin chose in the console, on a customer's page: the served loader carries it,
and the tag's own ``data-*`` attributes still win."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import HostPage, host_html, screenshot
from tests.browser.widget import Widget
from tests.console.forms import signed_in_with_csrf

pytestmark = pytest.mark.browser

MakeAgent = Callable[..., Awaitable[str]]
GREETING = "Hello from <b>Acme</b>! Ask us anything."


async def test_the_admins_colour_position_language_and_greeting_reach_the_widget(
    host_page: HostPage, live_url: str, make_agent: MakeAgent
) -> None:
    async with httpx.AsyncClient(base_url=live_url) as admin:
        csrf = await signed_in_with_csrf(admin, await make_agent("Ada", "admin"))
        chosen = {
            "widget_color": "#c8102e",
            "widget_position": "left",
            "widget_locale": "pl",
            "widget_greeting": GREETING,
        }
        saved = await admin.put(
            "/api/v1/console/admin/settings", json=chosen, headers={"X-CSRF-Token": csrf}
        )
        assert saved.status_code == 200

    page = await host_page(host_html(f'<script src="{live_url}/widget.js" async></script>'))
    widget = await Widget(page).ready()
    await expect(widget.greeting.locator(".say")).to_have_text(GREETING)  # text, not markup
    await expect(widget.launcher).to_have_css("background-color", "rgb(200, 16, 46)")
    await expect(widget.launcher).to_have_attribute("aria-label", "Otwórz czat pomocy")
    box = await widget.launcher.bounding_box()
    assert box is not None
    assert box["x"] == pytest.approx(20, abs=2)  # bottom-left
    await screenshot(page, "site-defaults")

    tagged = (
        f'<script src="{live_url}/widget.js" async data-color="#0a7d38" data-position="right"'
        ' data-locale="en"></script>'
    )
    page = await host_page(host_html(tagged), page=page)
    widget = await Widget(page).ready()
    await expect(widget.launcher).to_have_css("background-color", "rgb(10, 125, 56)")
    await expect(widget.launcher).to_have_attribute("aria-label", "Open support chat")
    box = await widget.launcher.bounding_box()
    assert box is not None
    assert 1280 - (box["x"] + box["width"]) == pytest.approx(20, abs=2)


async def test_a_greeting_written_for_the_visitors_language_comes_first(
    host_page: HostPage, live_url: str, make_agent: MakeAgent
) -> None:
    async with httpx.AsyncClient(base_url=live_url) as admin:
        csrf = await signed_in_with_csrf(admin, await make_agent("Ada", "admin"))
        chosen = {"widget_greeting": "Hi from Acme!", "widget_greeting_pl": "Cześć! W czym pomóc?"}
        saved = await admin.put(
            "/api/v1/console/admin/settings", json=chosen, headers={"X-CSRF-Token": csrf}
        )
        assert saved.status_code == 200

    def tag(locale: str) -> str:
        return f'<script src="{live_url}/widget.js" async data-locale="{locale}"></script>'

    page = await host_page(host_html(tag("pl")))
    widget = await Widget(page).ready()
    await expect(widget.greeting.locator(".say")).to_have_text("Cześć! W czym pomóc?")
    page = await host_page(host_html(tag("sl")), page=page)
    widget = await Widget(page).ready()
    await expect(widget.greeting.locator(".say")).to_have_text("Hi from Acme!")  # the fallback
