"""The widget on a customer's page: placement, isolation from hostile pages, one bubble,
keyboard use, mobile layout, accessibility (axe-core) and the languages' completeness."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import BrowserContext, expect

from tests.browser.conftest import HostPage, host_html, screenshot, tag
from tests.browser.widget import Widget
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

HOSTILE_CSS = """<style>
* { all: unset !important; text-transform: uppercase !important; font: 40px serif !important; }
#cookies { display: block !important; position: fixed !important; left: 0 !important;
  right: 0 !important; bottom: 0 !important; height: 140px !important; z-index: 99999 !important;
  background: #222 !important; color: #fff !important; }
</style>"""
# Recorded before any other script runs, to tell which globals the widget added.
GLOBALS_BEFORE = "window.__globalsBefore = Object.getOwnPropertyNames(window);"


async def test_bubble_sits_bottom_right_on_another_origin(
    host_page: HostPage, server: LiveServer
) -> None:
    page = await host_page(host_html("<main><h1>Shop</h1></main>" + tag(server)))
    widget = await Widget(page).ready()
    box = await widget.launcher.bounding_box()
    assert box is not None
    assert (box["width"], box["height"]) == (60, 60)
    assert 1280 - (box["x"] + box["width"]) == pytest.approx(20, abs=2)
    assert 800 - (box["y"] + box["height"]) == pytest.approx(20, abs=2)
    await expect(widget.greeting).to_be_visible()
    await screenshot(page, "bubble")


async def test_hostile_page_neither_breaks_it_nor_gets_globals(
    context: BrowserContext, host_page: HostPage, server: LiveServer
) -> None:
    await context.add_init_script(GLOBALS_BEFORE)
    body = '<main><p>Shop</p></main><div id="cookies">We use cookies</div>' + tag(server)
    page = await host_page(host_html(body, head=HOSTILE_CSS))
    widget = await Widget(page).ready()
    box = await widget.launcher.bounding_box()
    assert box is not None
    assert (box["width"], box["height"]) == (60, 60)
    # Above the cookie bar: the topmost element at the launcher's centre is the widget.
    centre = (box["x"] + 30, box["y"] + 30)
    topmost = await page.evaluate("([x, y]) => document.elementFromPoint(x, y).localName", centre)
    assert topmost == "parley-widget"
    style = await widget.greeting.evaluate(
        "el => { const s = getComputedStyle(el.querySelector('.say'));"
        " return [s.fontSize, s.textTransform, s.fontFamily]; }"
    )
    assert style[0] == "15px"
    assert style[1] == "none"
    assert style[2].startswith("system-ui")
    added = await page.evaluate(
        "Object.getOwnPropertyNames(window).filter(n => !window.__globalsBefore.includes(n))"
    )
    assert sorted(added) == ["Parley", "__globalsBefore"]
    # Outside the launcher the page keeps its clicks: the widget's host takes no pointer events.
    clicked = await page.evaluate("document.elementFromPoint(640, 300).localName")
    assert clicked != "parley-widget"
    await widget.open()
    await expect(widget.search).to_be_visible()
    await screenshot(page, "hostile-page-open")


async def test_left_position_and_brand_colour(host_page: HostPage, server: LiveServer) -> None:
    page = await host_page(host_html(tag(server, position="left", color="#ffcc00")))
    widget = await Widget(page).ready()
    box = await widget.launcher.bounding_box()
    assert box is not None
    assert box["x"] == pytest.approx(20, abs=2)
    colours = await widget.launcher.evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    )
    # A light brand colour gets dark text, keeping the contrast readable.
    assert colours == ["rgb(255, 204, 0)", "rgb(17, 20, 24)"]


async def test_the_tag_twice_makes_one_bubble(host_page: HostPage, server: LiveServer) -> None:
    page = await host_page(host_html(tag(server) + tag(server)))
    widget = await Widget(page).ready()
    await page.wait_for_timeout(300)
    assert await widget.hosts.count() == 1
    assert await widget.launcher.count() == 1


async def test_opening_shows_the_search_panel(host_page: HostPage, server: LiveServer) -> None:
    page = await host_page(host_html(tag(server)))
    widget = await (await Widget(page).ready()).open()
    dialog = page.get_by_role("dialog", name="Help")
    await expect(dialog).to_be_visible()
    await expect(widget.search).to_be_focused()
    await expect(widget.search).to_have_attribute("placeholder", "Search or ask a question")
    await expect(widget.greeting).to_have_count(0)
    await expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    await screenshot(page, "panel-home")
    await page.evaluate("Parley.close()")  # the page's own buttons can drive it too
    await expect(widget.panel).to_be_hidden()
    await page.evaluate("Parley.open()")
    await expect(widget.panel).to_be_visible()


async def test_keyboard_only(host_page: HostPage, server: LiveServer) -> None:
    page = await host_page(host_html('<a href="#top">Top</a>' + tag(server)))
    widget = await Widget(page).ready()
    await page.keyboard.press("Tab")  # the host page's link
    await page.keyboard.press("Tab")  # the greeting
    await page.keyboard.press("Tab")  # its dismiss button
    await page.keyboard.press("Tab")  # the launcher
    assert (await widget.active_element())["className"] == "launcher"
    await page.keyboard.press("Enter")
    await expect(widget.search).to_be_focused()
    for _ in range(8):  # Tab and Shift+Tab stay inside the open dialog
        await page.keyboard.press("Tab")
        assert (await widget.active_element())["inPanel"]
    for _ in range(3):
        await page.keyboard.press("Shift+Tab")
        assert (await widget.active_element())["inPanel"]
    await page.keyboard.press("Escape")
    await expect(widget.panel).to_be_hidden()
    assert (await widget.active_element())["className"] == "launcher"
    await expect(widget.launcher).to_have_attribute("aria-expanded", "false")


async def test_full_screen_on_a_phone(
    context: BrowserContext, host_page: HostPage, server: LiveServer
) -> None:
    page = await context.new_page()
    await page.set_viewport_size({"width": 375, "height": 667})
    await host_page(host_html(tag(server)), page=page)
    widget = await (await Widget(page).ready()).open()
    box = await widget.panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 375, "height": 667}
    close = widget.button("Close")
    close_box = await close.bounding_box()
    assert close_box is not None
    assert min(close_box["width"], close_box["height"]) >= 44
    await screenshot(page, "phone")


async def test_greeting_dismissal_is_remembered(host_page: HostPage, server: LiveServer) -> None:
    page = await host_page(host_html(tag(server)))
    widget = await Widget(page).ready()
    await widget.greeting.get_by_role("button", name="Dismiss").click()
    await expect(widget.greeting).to_have_count(0)
    await page.reload()
    await widget.ready()
    await page.wait_for_timeout(300)
    await expect(widget.greeting).to_have_count(0)


async def test_locale_from_the_tag_and_complete_catalogues(
    host_page: HostPage, server: LiveServer
) -> None:
    page = await host_page(host_html(tag(server, locale="pl")))
    widget = await Widget(page).ready()
    await expect(widget.launcher).to_have_attribute("aria-label", "Otwórz czat pomocy")
    differences: dict[str, Any] = await page.evaluate(
        """async (origin) => {
          const load = (l) => import(`${origin}/widget/locales/${l}.js`).then((m) => m.default);
          const [en, pl, sl] = await Promise.all(["en", "pl", "sl"].map(load));
          const keys = (o) => Object.keys(o).sort().join(",");
          return {pl: keys(pl) === keys(en), sl: keys(sl) === keys(en)};
        }""",
        server.url,
    )
    assert differences == {"pl": True, "sl": True}


async def test_no_serious_accessibility_violations(
    host_page: HostPage, server: LiveServer, axe_source: str
) -> None:
    page = await host_page(host_html("<main><h1>Shop</h1></main>" + tag(server)))
    widget = await (await Widget(page).ready()).open()
    await page.add_script_tag(content=axe_source)
    violations = await page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({id: v.id, nodes: v.nodes.map((n) => n.target)}));
        }"""
    )
    assert violations == []
    await expect(widget.panel).to_be_visible()
