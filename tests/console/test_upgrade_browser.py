"""After an upgrade, a returning agent's browser runs the new console modules, not cached ones.

The console is served from a copy of its static folder; a module the entry script imports is
changed and the process "restarts" (its assets are read again, as a new release's would be).
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from parley.console import render
from parley.console.assets import ConsoleAssets
from tests.console.test_console_browser import sign_in

pytestmark = pytest.mark.browser

STATIC = Path(render.__file__).parent / "static"
CONNECTED = 'this.onState("Connected");'  # in socket.js, which only app.js imports


async def test_a_changed_module_runs_after_an_upgrade_without_clearing_the_cache(
    console_page: Page,
    live_url: str,
    make_agent: Callable[..., Awaitable[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    static = Path(shutil.copytree(STATIC, tmp_path / "static"))
    socket_module = static / "socket.js"
    assert CONNECTED in socket_module.read_text()
    monkeypatch.setattr(render, "ASSETS", ConsoleAssets(static, shared=render.SHARED))
    page = console_page
    await sign_in(page, live_url, await make_agent())  # every module now in the browser's cache

    socket_module.write_text(
        socket_module.read_text().replace(CONNECTED, 'this.onState("Connected (upgraded)");')
    )
    upgraded = ConsoleAssets(static, shared=render.SHARED)
    assert upgraded.files["app.js"] == render.ASSETS.files["app.js"]  # the entry is unchanged
    monkeypatch.setattr(render, "ASSETS", upgraded)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    await page.reload()
    await expect(page.locator("#connection")).to_have_text("Connected (upgraded)")
    # through the page's import map, at the URL of the new content (cacheable for a year)
    assert f"{live_url}{upgraded.url('socket.js')}" in asked
