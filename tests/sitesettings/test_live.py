"""A saved change reaches every process over the bus and takes effect without a restart:
CORS, the visitor socket's origin check, identity verification, business hours, the widget."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from parley.bus import Bus
from parley.bus.memory import MemoryBus
from parley.config import Settings
from parley.db import Database
from parley.errors import BadRequest
from parley.identity import store as identity_store
from parley.identity.visitors import expected_user_hash
from parley.sitesettings.live import LiveSiteSettings
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import new_visitor, visitor_client

SHOP = "https://shop.example"
API = "/api/v1/console/admin/settings"


async def _admin_id(db: Database) -> str:
    admin = await identity_store.insert_agent(
        db, email="ada@example.com", name="Ada", password_hash="unused", role="admin"
    )
    return admin.id


async def test_a_change_reaches_the_other_process(db: Database, bus_pair: tuple[Bus, Bus]) -> None:
    settings = Settings(allowed_origins=("*",))
    admin_id = await _admin_id(db)
    here, there = (LiveSiteSettings(db, bus, settings) for bus in bus_pair)
    await here.start()
    await there.start()
    await asyncio.sleep(0.1)  # Redis applies subscriptions asynchronously
    assert there.current.allowed_origins == ("*",)
    changed = await here.change({"allowed_origins": SHOP, "timezone": "Asia/Tokyo"}, admin_id)
    assert changed.allowed_origins == (SHOP,)
    for _ in range(50):
        if there.current.allowed_origins == (SHOP,):
            break
        await asyncio.sleep(0.05)
    assert there.current.allowed_origins == (SHOP,)
    assert there.current.hours.timezone.key == "Asia/Tokyo"
    await here.change({"allowed_origins": None}, admin_id)  # back to the environment
    for _ in range(50):
        if there.current.allowed_origins == ("*",):
            break
        await asyncio.sleep(0.05)
    assert there.current.allowed_origins == ("*",)
    here.close()
    there.close()


async def test_a_refused_change_saves_nothing(db: Database) -> None:
    live = LiveSiteSettings(db, MemoryBus(), Settings())
    await live.start()
    with pytest.raises(BadRequest, match="timezone"):
        changes = {"widget_color": "#000000", "timezone": "Nowhere/Special"}
        await live.change(changes, await _admin_id(db))
    assert (await live.reload()).widget_color == "#1f5fd6"
    live.close()


async def _admin_headers(client: httpx.AsyncClient, make_agent: object) -> dict[str, str]:
    assert callable(make_agent)
    return {"X-CSRF-Token": await signed_in_with_csrf(client, await make_agent("Ada", "admin"))}


async def _preflight(client: httpx.AsyncClient, origin: str) -> httpx.Response:
    return await client.options(
        "/api/v1/visitors",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )


async def test_allowed_origins_apply_to_cors_at_once(
    client: httpx.AsyncClient, make_agent: object
) -> None:
    headers = await _admin_headers(client, make_agent)
    other = "https://elsewhere.example"
    assert (await _preflight(client, other)).headers["access-control-allow-origin"] == "*"
    saved = await client.put(API, json={"allowed_origins": SHOP}, headers=headers)
    assert saved.status_code == 200
    assert (await _preflight(client, other)).status_code == 400
    assert (await _preflight(client, SHOP)).headers["access-control-allow-origin"] == SHOP


async def _origin_refused(live_url: str, token: str, origin: str) -> bool:
    url = f"{live_url.replace('http', 'ws', 1)}/ws/visitor?token={token}"
    async with websockets.connect(url, additional_headers={"Origin": origin}) as socket:
        try:
            await socket.send('{"type": "hello"}')
            await asyncio.wait_for(socket.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd is not None and closed.rcvd.code == 4403
    return False


async def test_the_visitor_socket_follows_the_admins_origins_and_hours(
    live_url: str, make_agent: object
) -> None:
    token = await new_visitor(live_url)
    async with httpx.AsyncClient(base_url=live_url) as admin:
        headers = await _admin_headers(admin, make_agent)
        assert not await _origin_refused(live_url, token, "https://elsewhere.example")
        changes = {"allowed_origins": SHOP, "business_hours": "sat 10:00-12:00"}
        assert (await admin.put(API, json=changes, headers=headers)).status_code == 200
    assert await _origin_refused(live_url, token, "https://elsewhere.example")
    assert not await _origin_refused(live_url, token, SHOP)
    visitor, welcome = await visitor_client(live_url, token)
    assert welcome["business_hours"] == {"hours": "sat 10:00-12:00", "timezone": "UTC"}
    await visitor.close()


async def test_identity_is_verified_with_the_admins_secret(
    client: httpx.AsyncClient, make_agent: object, settings: Settings
) -> None:
    headers = await _admin_headers(client, make_agent)
    new_secret = "a-fresh-secret-from-the-admin"
    assert (await client.put(API, json={"identity_secret": new_secret}, headers=headers)).is_success
    shown = (await client.get(API)).json()["settings"]["identity_secret"]
    assert shown["set"] is True
    assert shown["value"] is None
    assert settings.identity_secret
    old_hash = expected_user_hash(settings.identity_secret, "user-1")
    new_hash = expected_user_hash(new_secret, "user-1")
    refused = await client.post(
        "/api/v1/visitors", json={"user_id": "user-1", "user_hash": old_hash}
    )
    assert refused.status_code == 403
    verified = await client.post(
        "/api/v1/visitors", json={"user_id": "user-1", "user_hash": new_hash}
    )
    assert verified.status_code == 201


async def test_the_served_widget_carries_the_admins_defaults(
    client: httpx.AsyncClient, make_agent: object
) -> None:
    before = await client.get("/widget.js")
    assert 'const SITE = {"color":"#1f5fd6","position":"right"};' in before.text
    headers = await _admin_headers(client, make_agent)
    changes = {
        "widget_color": "#c8102e",
        "widget_position": "left",
        "widget_locale": "pl",
        "widget_greeting": 'Hi "there" </script> ąę',
    }
    assert (await client.put(API, json=changes, headers=headers)).status_code == 200
    stale = await client.get("/widget.js", headers={"If-None-Match": before.headers["etag"]})
    assert stale.status_code == 200  # a new body, so the old ETag no longer matches
    after = stale.text
    assert stale.headers["etag"] != before.headers["etag"]
    expected = (
        '{"color":"#c8102e","position":"left","locale":"pl",'
        '"greeting":"Hi \\"there\\" </script> \\u0105\\u0119"}'
    )
    assert f"const SITE = {expected};" in after
    assert (
        await client.get("/widget.js", headers={"If-None-Match": stale.headers["etag"]})
    ).status_code == 304
    zipped = await client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert len(gzip.compress(zipped.content)) < 12 * 1024
