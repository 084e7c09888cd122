"""Handles on the widget inside its (open) shadow root; Playwright's CSS locators pierce it."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Locator, Page, expect


class Widget:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.hosts = page.locator("parley-widget")
        self.launcher = page.locator("parley-widget .launcher")
        self.badge = page.locator("parley-widget .badge")
        self.greeting = page.locator("parley-widget .greeting")
        self.panel = page.locator("parley-widget .panel")
        self.search = page.locator("parley-widget .search")
        self.results = page.locator("parley-widget .home .result")
        self.composer = page.locator("parley-widget .composer textarea")
        self.log = page.locator("parley-widget .log")
        self.messages = page.locator("parley-widget .log .msg")

    async def ready(self) -> Widget:
        await self.launcher.wait_for(state="visible")
        return self

    async def open(self) -> Widget:
        await self.launcher.click()
        await self.panel.wait_for(state="visible")
        return self

    def button(self, name: str) -> Locator:
        return self.panel.get_by_role("button", name=name, exact=True)

    def message(self, text: str) -> Locator:
        return self.messages.filter(has_text=text)

    async def active_element(self) -> dict[str, Any]:
        """What has the keyboard focus, seen through the shadow root."""
        found: dict[str, Any] = await self.page.evaluate(
            """() => {
              const host = document.querySelector("parley-widget");
              const inner = host && host.shadowRoot.activeElement;
              const el = inner || document.activeElement;
              return {inWidget: Boolean(inner), className: el.className || "", tag: el.localName,
                      inPanel: Boolean(inner && inner.closest(".panel"))};
            }"""
        )
        return found

    async def storage(self, key: str) -> Any:
        return await self.page.evaluate(
            "(key) => JSON.parse(localStorage.getItem(key))", f"parley:{key}"
        )


async def ask(page: Page, question: str) -> Widget:
    """Open the widget, ask, and wait until the server has stored the question."""
    widget = await (await Widget(page).ready()).open()
    await widget.search.fill(question)
    await widget.search.press("Enter")
    # The first message also waits for the socket to connect: on a busy machine that is slow.
    await expect(widget.message(question)).not_to_have_class(
        "msg from-visitor pending", timeout=15_000
    )
    await expect(widget.message(question).locator(".receipt")).to_be_hidden()
    return widget


async def loaded(image: Locator) -> int:
    """Wait until the (token-fetched) image is decoded; its natural width."""
    await expect(image).to_have_attribute("src", re.compile("^blob:"))
    width: int = await image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    return width
