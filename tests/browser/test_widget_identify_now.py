"""``Parley.identify`` is taken at once: a signed-in customer's attributes reach the server
without opening the chat, and a later call (the customer bought something) updates the same
visitor while it is registered; the same identity said again costs no request."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from playwright.async_api import Request

from parley.config import Settings
from parley.db import Database
from parley.identity.store import verified_visitor_by_user_id
from parley.identity.visitors import expected_user_hash
from tests.browser.conftest import HostPage, host_html

pytestmark = pytest.mark.browser

USER_HASH = expected_user_hash("identity-secret-for-tests", "cust-9")


def _profile(**attributes: Any) -> dict[str, Any]:
    return {"user_id": "cust-9", "user_hash": USER_HASH, "name": "Cora", "attributes": attributes}


async def _attributes(settings: Settings, want: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The server's record of cust-9 once it says ``want`` (polled: the widget tells it when
    the browser is idle)."""
    db = Database(settings.resolved_database_url)
    try:
        for _ in range(100):
            visitor = await verified_visitor_by_user_id(db, "cust-9")
            if visitor is not None and want.items() <= visitor.attributes.items():
                return visitor.id, visitor.attributes
            await asyncio.sleep(0.1)
    finally:
        await db.close()
    raise AssertionError(f"the server never got {want}")


async def test_identify_reaches_the_server_at_once_and_updates_the_same_visitor(
    host_page: HostPage, live_url: str, settings: Settings
) -> None:
    first = _profile(customer_since="2025-03-01", revenue=100, purchases=2)
    script = (
        f'<script>addEventListener("parley:ready", () => Parley.identify({json.dumps(first)}))'
        "</script>"
    )
    html = host_html(script + f'<script src="{live_url}/widget.js" async></script>')
    page = await host_page(html)
    visitor_id, attributes = await _attributes(settings, {"revenue": 100})
    assert attributes["customer_since"] == "2025-03-01"

    # A purchase later on the same page: the registered visitor is updated, not a new one.
    bought = _profile(customer_since="2025-03-01", revenue=250, purchases=3)
    await page.evaluate("(profile) => Parley.identify(profile)", bought)
    same_id, attributes = await _attributes(settings, {"revenue": 250, "purchases": 3})
    assert same_id == visitor_id

    # The same identity said again (as every page of the host does): no request at all.
    identity_calls: list[str] = []

    def seen(request: Request) -> None:
        if "/api/v1/visitors" in request.url:
            identity_calls.append(request.url)

    page.on("request", seen)
    await page.evaluate("(profile) => Parley.identify(profile)", bought)
    await page.wait_for_timeout(1500)
    assert identity_calls == []
