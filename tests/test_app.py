"""The app as a whole: health, the error shape for every 4xx, the demo page, request logs."""

from __future__ import annotations

import gc
import logging

import httpx
import pytest

from parley.app import create_app
from parley.config import Settings


async def test_healthz_is_ok_once_started(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no/such/page", 404), ("GET", "/api/v1/auth/login", 405)],
)
async def test_errors_use_the_protocol_shape(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"]
    assert error["message"]


async def test_demo_page_embeds_the_widget_with_one_tag(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert '<script src="/widget.js" async></script>' in response.text


async def test_request_log_has_one_line_per_request_and_no_secrets(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="parley.access"):
        await client.post(
            "/api/v1/auth/login?token=sekrit-token",
            json={"email": "x@example.com", "password": "hunter2-password"},
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "parley.access"]
    assert len(lines) == 1
    assert lines[0].startswith("POST /api/v1/auth/login 401")
    assert "sekrit" not in caplog.text
    assert "hunter2" not in caplog.text


async def test_a_serving_process_takes_its_started_heap_out_of_the_collectors_passes(
    settings: Settings,
) -> None:
    """What lives as long as the server is frozen once started, so no full collection walks it
    (a pause of hundreds of milliseconds for every socket); an app made for tests is not."""
    assert gc.get_freeze_count() == 0
    for settle, frozen in ((False, False), (True, True)):
        app = create_app(settings, settle_heap_once_started=settle)
        try:
            async with app.router.lifespan_context(app):
                assert (gc.get_freeze_count() > 0) is frozen
        finally:
            gc.unfreeze()
