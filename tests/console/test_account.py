"""An agent changes their own password (``PUT /api/v1/console/me/password``), in-process over
httpx on SQLite and PostgreSQL: the current password is checked under the sign-in throttle,
every other session ends, the browser that made the change stays signed in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from parley.config import Settings
from parley.db import Database
from parley.identity.passwords import verify_password
from parley.identity.store import agent_by_email
from parley.identity.tokens import SESSION_COOKIE
from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf

MakeAgent = Callable[..., Awaitable[str]]
URL = "/api/v1/console/me/password"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
NEW_PASSWORD = "a brand new password"
MAX_FAILURES = 3


@pytest.fixture
def settings(settings: Settings, db: Database, database_url: str) -> Settings:
    """The app on each backend's database in turn (``db`` empties it after each test)."""
    return settings.with_overrides(database_url=database_url, login_max_failures=MAX_FAILURES)


def _change(current: object, new: object) -> dict[str, object]:
    return {"current_password": current, "new_password": new}


async def _signs_in(browser: httpx.AsyncClient, password: str) -> int:
    response = await browser.post(LOGIN, json={"email": "sam@example.com", "password": password})
    return response.status_code


async def test_changing_it_ends_every_other_session_but_not_this_one(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    email = await make_agent("Sam")
    here, elsewhere = browsers(), browsers("198.51.100.20")
    old_csrf = await signed_in_with_csrf(here, email)
    elsewhere_csrf = await signed_in_with_csrf(elsewhere, email)
    old_session = here.cookies[SESSION_COOKIE]

    changed = await here.put(
        URL, json=_change(PASSWORD, NEW_PASSWORD), headers={"X-CSRF-Token": old_csrf}
    )
    assert changed.status_code == 200
    body: dict[str, Any] = changed.json()
    assert body["agent"]["email"] == email
    assert "hash" not in str(body)
    assert "password" not in str(body)
    assert here.cookies[SESSION_COOKIE] != old_session  # a fresh session for this browser

    assert (await here.get(ME)).json()["agent"]["email"] == email
    reply = {"shortcut": "hi", "title": "Hi", "body": "Hello!"}
    fresh = {"X-CSRF-Token": body["csrf_token"]}
    assert (await here.post("/api/v1/console/saved-replies", json=reply, headers=fresh)).is_success
    stale = await here.post(
        "/api/v1/console/saved-replies", json=reply, headers={"X-CSRF-Token": old_csrf}
    )
    assert stale.status_code == 403  # the old token was bound to the old session

    assert (await elsewhere.get(ME)).status_code == 401
    refused = await elsewhere.post(
        "/api/v1/console/saved-replies", json=reply, headers={"X-CSRF-Token": elsewhere_csrf}
    )
    assert refused.status_code == 401
    assert (await here.get("/console")).status_code == 200
    assert (await elsewhere.get("/console")).headers["location"] == "/console/login"

    assert await _signs_in(browsers(), PASSWORD) == 401
    assert await _signs_in(browsers(), NEW_PASSWORD) == 200


async def test_a_wrong_current_password_counts_as_a_failed_sign_in(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent, db: Database
) -> None:
    email = await make_agent("Sam")
    thief = browsers()
    headers = {"X-CSRF-Token": await signed_in_with_csrf(thief, email)}
    for _ in range(MAX_FAILURES):
        wrong = await thief.put(URL, json=_change("a guess at it", NEW_PASSWORD), headers=headers)
        assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "wrong_password")
    locked = await thief.put(URL, json=_change(PASSWORD, NEW_PASSWORD), headers=headers)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert (await thief.get(ME)).status_code == 200  # guessing does not end the session...
    assert await _signs_in(browsers(), PASSWORD) == 429  # ...but uses up the thief's address
    assert await _signs_in(browsers("198.51.100.20"), PASSWORD) == 200  # never Sam's email
    sam = await agent_by_email(db, email)
    assert sam is not None
    assert await verify_password(sam.password_hash, PASSWORD)


async def test_the_right_current_password_forgives_the_emails_slips(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    """As a successful sign-in does: slips before it do not add up with those after."""
    email = await make_agent("Sam")
    sam, elsewhere = browsers(), browsers("198.51.100.20")
    headers = {"X-CSRF-Token": await signed_in_with_csrf(sam, email)}
    wrong = await sam.put(URL, json=_change("a typo in it", NEW_PASSWORD), headers=headers)
    assert wrong.status_code == 403
    assert await _signs_in(elsewhere, "another typo") == 401
    changed = await sam.put(URL, json=_change(PASSWORD, NEW_PASSWORD), headers=headers)
    assert changed.status_code == 200
    for _ in range(MAX_FAILURES - 1):
        assert await _signs_in(browsers("198.51.100.30"), "a third typo") == 401
    assert await _signs_in(elsewhere, NEW_PASSWORD) == 200


@pytest.mark.parametrize(
    "body",
    [
        _change(PASSWORD, "short"),
        _change(PASSWORD, "        "),
        _change(PASSWORD, 12345678),
        _change(PASSWORD, None),
        _change(None, NEW_PASSWORD),
        {},
    ],
)
async def test_a_bad_request_changes_nothing(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent, body: dict[str, object]
) -> None:
    email = await make_agent("Sam")
    sam = browsers()
    headers = {"X-CSRF-Token": await signed_in_with_csrf(sam, email)}
    session = sam.cookies[SESSION_COOKIE]
    refused = await sam.put(URL, json=body, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"]
    assert sam.cookies[SESSION_COOKIE] == session
    assert (await sam.get(ME)).status_code == 200
    assert await _signs_in(browsers(), PASSWORD) == 200


async def test_a_weak_new_password_is_refused_before_the_current_one_is_checked(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    """So a guess that comes with a short new password is not even a guess."""
    email = await make_agent("Sam")
    sam = browsers()
    headers = {"X-CSRF-Token": await signed_in_with_csrf(sam, email)}
    for _ in range(MAX_FAILURES + 1):
        weak = await sam.put(URL, json=_change("a guess at it", "short"), headers=headers)
        assert weak.json()["error"]["code"] == "weak_password"
    assert await _signs_in(browsers(), PASSWORD) == 200


async def test_it_needs_a_session_and_the_csrf_header(
    browsers: Callable[..., httpx.AsyncClient], make_agent: MakeAgent
) -> None:
    email = await make_agent("Sam")
    sam = browsers()
    token = await signed_in_with_csrf(sam, email)
    assert (await sam.put(URL, json=_change(PASSWORD, NEW_PASSWORD))).status_code == 403
    forged = await sam.put(URL, json=_change(PASSWORD, NEW_PASSWORD), headers={"X-CSRF-Token": "x"})
    assert forged.status_code == 403
    stranger = browsers()
    anonymous = await stranger.put(
        URL, json=_change(PASSWORD, NEW_PASSWORD), headers={"X-CSRF-Token": token}
    )
    assert anonymous.status_code == 401
    assert await _signs_in(browsers(), PASSWORD) == 200
