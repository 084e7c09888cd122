"""``GET /widget.js`` and ``GET /widget/{path}``: types, caching, gzip, CORS, nothing outside."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import httpx
import pytest

from parley.embed import VERSION_PLACEHOLDER, bundle, read_bundle


async def test_loader_is_javascript_cached_briefly_with_the_release_hash(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert VERSION_PLACEHOLDER not in response.text
    assert f'const VERSION = "{bundle().version}"' in response.text
    assert re.fullmatch(r"[0-9a-f]{12}", bundle().version)


async def test_loader_revalidates_with_its_etag(client: httpx.AsyncClient) -> None:
    etag = (await client.get("/widget.js")).headers["etag"]
    again = await client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("panel.js", "text/javascript; charset=utf-8"),
        ("panel.css", "text/css; charset=utf-8"),
        ("locales/pl.js", "text/javascript; charset=utf-8"),
    ],
)
async def test_versioned_assets_are_immutable_and_open_to_any_origin(
    client: httpx.AsyncClient, path: str, content_type: str
) -> None:
    response = await client.get(f"/widget/{path}", params={"v": bundle().version})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["access-control-allow-origin"] == "*"


async def test_an_asset_asked_for_by_another_release_is_not_pinned(
    client: httpx.AsyncClient,
) -> None:
    for params in ({"v": "000000000000"}, {}):
        response = await client.get("/widget/panel.js", params=params)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"


async def test_gzip_when_the_client_accepts_it(client: httpx.AsyncClient) -> None:
    plain = await client.get("/widget/chat.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = await client.get("/widget/chat.js", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.text == plain.text  # httpx decoded it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    refused = await client.get("/widget/chat.js", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


@pytest.mark.parametrize(
    "path",
    [
        "/widget/../pyproject.toml",
        "/widget/..%2F..%2Fpyproject.toml",
        "/widget/%2e%2e/%2e%2e/pyproject.toml",
        "/widget//etc/passwd",
        "/widget/widget.js",
        "/widget/nope.js",
        "/widget/locales",
    ],
)
async def test_nothing_outside_the_widget_files_is_served(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bundle_skips_hidden_files_other_types_and_escaping_symlinks(tmp_path: Path) -> None:
    widget = tmp_path / "widget"
    (widget / "locales").mkdir(parents=True)
    (widget / "widget.js").write_text(f'const VERSION = "{VERSION_PLACEHOLDER}";')
    (widget / "panel.js").write_text("export {};")
    (widget / "locales" / "en.js").write_text("export default {};")
    (widget / ".secret.js").write_text("nope")
    (widget / "notes.txt").write_text("nope")
    (tmp_path / "outside.js").write_text("nope")
    (widget / "linked.js").symlink_to(tmp_path / "outside.js")
    found = read_bundle(widget)
    assert sorted(found.assets) == ["locales/en.js", "panel.js"]
    assert found.version.encode() in found.loader.body
    assert gzip.decompress(found.loader.gzipped) == found.loader.body
    (widget / "panel.js").write_text("export const changed = true;")
    assert read_bundle(widget).version != found.version
