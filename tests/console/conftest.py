"""Console fixtures: in-process browsers (cookie jars) against the app, Debian's Chromium at
1280x720, screenshots to artifacts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from playwright.async_api import Browser, Page

from parley.app import create_app
from parley.config import Settings
from tests.browser.conftest import ARTIFACTS, REPO


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The repository's knowledge base, so the KB panel and the bot have articles."""
    return settings.with_overrides(kb_dir=REPO / "kb_articles")


@pytest.fixture
async def browsers(settings: Settings) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Separate cookie jars against one in-process app (an admin's browser and an agent's, say),
    each from the client address given."""
    app = create_app(settings)
    opened: list[httpx.AsyncClient] = []

    def new_browser(address: str = "203.0.113.7") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 5000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://parley.test"))
        return opened[-1]

    async with app.router.lifespan_context(app):
        yield new_browser
        for browser in opened:
            await browser.aclose()


@pytest.fixture
async def console_page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh profile per test, at the size the console is designed for."""
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # CSP violations show up as console errors (a 401 sign-in answer does too: not a bug).
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and errors.append(message.text)
        ),
    )
    yield page
    await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
async def axe_page(browser: Browser) -> AsyncIterator[Page]:
    """A page whose CSP lets the test inject axe-core (the console's own CSP forbids it)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"))
