"""The help center under its Content-Security-Policy, in a real browser: nothing refused, the
widget loads, and the page's own script shows the "contact us" button."""

from __future__ import annotations

from playwright.async_api import BrowserContext

from tests.support.live_server import LiveServer


async def test_the_help_center_runs_under_its_policy(
    server: LiveServer, context: BrowserContext
) -> None:
    page = await context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and ("Content Security Policy" in message.text or "Refused" in message.text)
            and refused.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    response = await page.goto(f"{server.url}/help")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await page.locator("parley-widget").wait_for(state="attached")
    await page.locator("[data-parley-open]").first.wait_for(state="visible")
    await page.locator("[data-parley-open]").first.click()
    await page.wait_for_timeout(500)  # the panel's styles and modules load on open
    assert refused == []
