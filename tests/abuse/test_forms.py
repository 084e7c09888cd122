"""A NUL in a form's field, an upload's text field or a part's file name: a clear 400 that
changes nothing, on SQLite (which would keep it) and on PostgreSQL (which cannot store it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from parley.app import create_app
from parley.config import Settings
from parley.db import Database
from parley.identity.agents import create_agent
from tests.conftest import PASSWORD
from tests.console.forms import csrf_token, signed_in_with_csrf
from tests.console.test_library import URL as LIBRARY
from tests.console.test_library import gif_upload
from tests.media import image_bytes

ARTICLE = "---\ntitle: Reset your password\n---\nOpen Settings, then Password.\n"


@pytest.fixture
async def http_on(
    database_url: str, db: Database, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process on each backend in turn (emptied after each test), one article."""
    settings.kb_dir.mkdir(parents=True, exist_ok=True)
    (settings.kb_dir / "reset-password.md").write_text(ARTICLE, encoding="utf-8")
    app = create_app(settings.with_overrides(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield http


def assert_refused_for_nul(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/console/login", {"email": "ann\x00@example.com", "password": "x"}),
        ("/console/logout", {}),
        ("/console/setup", {"token": "t", "name": "Olga\x00", "email": "o@example.com"}),
        ("/mail/rate", {"token": "t", "episode": "1", "score": "5", "comment": "ok\x00"}),
        ("/help/articles/reset-password/feedback", {"helpful": "yes\x00"}),
    ],
    ids=["sign-in", "sign-out", "first-run", "mail-rating", "helpful"],
)
async def test_a_nul_in_any_form_is_a_clear_400(
    http_on: httpx.AsyncClient, path: str, fields: dict[str, str]
) -> None:
    token = await csrf_token(http_on, "/console/setup")
    form = {**fields, "csrf_token": token + ("\x00" if not fields else "")}
    assert_refused_for_nul(await http_on.post(path, data=form))
    setup_page = await http_on.get("/console/setup")
    assert 'name="csrf_token"' in setup_page.text  # nobody was created: the first run is open


async def test_a_form_must_be_urlencoded_and_small(http_on: httpx.AsyncClient) -> None:
    token = await csrf_token(http_on)
    multipart = await http_on.post(
        "/console/login",
        data={"email": "ann@example.com", "password": "x", "csrf_token": token},
        files={"attached": ("a.bin", b"\x00" * 1000, "application/octet-stream")},
    )
    assert multipart.status_code == 415
    too_big = await http_on.post("/console/login", data={"csrf_token": token, "x": "y" * 20_000})
    assert too_big.status_code == 413


async def test_a_nul_in_an_upload_field_is_a_clear_400(
    http_on: httpx.AsyncClient, db: Database
) -> None:
    await create_agent(db, email="ann@example.com", name="Ann", password=PASSWORD)
    headers = {"X-CSRF-Token": await signed_in_with_csrf(http_on, "ann@example.com")}
    assert_refused_for_nul(await http_on.post(LIBRARY, headers=headers, **gif_upload("Cache\x00")))
    assert (await http_on.get(LIBRARY)).json()["items"] == []  # nothing was stored

    visitor = (await http_on.post("/api/v1/visitors", json={})).json()["token"]
    refused = await http_on.post(
        "/api/v1/attachments",
        headers={"Authorization": f"Bearer {visitor}"},
        data={"conversation_id": "cnv_\x00"},
        files={"file": ("shot.png", image_bytes("PNG"), "image/png")},
    )
    assert_refused_for_nul(refused)
    stored = await http_on.post(LIBRARY, headers=headers, **gif_upload())
    assert stored.status_code == 201  # the next, clean upload goes through


async def test_a_nul_in_a_file_name_is_a_clear_400(http_on: httpx.AsyncClient) -> None:
    """Built by hand: httpx escapes control characters in a file name, a hostile client need not."""
    visitor = (await http_on.post("/api/v1/visitors", json={})).json()["token"]
    body = b"".join(
        [
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="x\x00.png"\r\n',
            b"Content-Type: image/png\r\n\r\n",
            image_bytes("PNG"),
            b"\r\n--b--\r\n",
        ]
    )
    response = await http_on.post(
        "/api/v1/attachments",
        headers={
            "Authorization": f"Bearer {visitor}",
            "Content-Type": "multipart/form-data; boundary=b",
        },
        content=body,
    )
    assert_refused_for_nul(response)
