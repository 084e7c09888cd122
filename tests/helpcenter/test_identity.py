"""The help center as the site's own: its name, colour, logo and a way back to the product;
compressed, with an icon, and in Slovenian as well as English and Polish."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from parley.app import create_app
from parley.config import Settings
from parley.identity.agents import create_agent


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sample knowledge base plus one Slovenian article."""
    (settings.kb_dir / "sl").mkdir()
    (settings.kb_dir / "sl" / "geslo.md").write_text(
        "---\ntitle: Kako ponastavim geslo\nslug: sl/geslo\ncategory: Račun\nlocale: sl\n"
        "summary: Zahtevajte povezavo za ponastavitev.\n---\n\nKliknite **Ste pozabili geslo?**.\n",
        encoding="utf-8",
    )
    return settings


@pytest.fixture
async def branded(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app after an admin named the site, gave its address and logo, and chose a colour."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        found = app.state.services
        admin = await create_agent(
            found.db, email="ada@example.com", name="Ada", password="x" * 12, role="admin"
        )
        await found.site.change(
            {
                "site_name": "Tallybird",
                "site_url": "https://tallybird.example/",
                "site_logo_url": "https://tallybird.example/logo.png",
                "widget_color": "#0b7a53",
            },
            admin.id,
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            yield http


async def test_pages_carry_the_sites_name_colour_logo_and_link_back(
    branded: httpx.AsyncClient,
) -> None:
    home = (await branded.get("/help")).text
    assert "<title>Tallybird Help Center</title>" in home
    assert 'content="Tallybird Help Center"' in home  # og:site_name
    assert '<a class="site-link" href="https://tallybird.example/">Go to Tallybird</a>' in home
    assert '<img class="brand-logo" src="https://tallybird.example/logo.png"' in home
    assert "--accent: #0b7a53" in home  # the widget's colour, not the help center's indigo
    article = (await branded.get("/help/articles/reset-password")).text
    assert "<title>Reset your password · Tallybird Help Center</title>" in article
    polish = (await branded.get("/help?locale=pl")).text
    assert "<title>Centrum pomocy Tallybird</title>" in polish


async def test_a_colour_too_light_for_text_leaves_the_help_centers_own(
    settings: Settings,
) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        found = app.state.services
        admin = await create_agent(
            found.db, email="ada@example.com", name="Ada", password="x" * 12, role="admin"
        )
        await found.site.change({"widget_color": "#ffe14d"}, admin.id)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as http:
            home = (await http.get("/help")).text
    assert "--accent: #ffe14d" not in home
    assert "<title>Help Center</title>" in home  # and no name: the neutral one
    assert "site-link" not in home


async def test_html_css_and_javascript_go_out_compressed(client: httpx.AsyncClient) -> None:
    gzip_only = {"Accept-Encoding": "gzip"}
    page = await client.get("/help", headers=gzip_only)
    assert page.headers["content-encoding"] == "gzip"
    assert "Vary" in page.headers or "vary" in page.headers
    css_url = re.search(r'href="(/help/static/helpcenter\.css\?v=[0-9a-f]+)"', page.text)
    assert css_url
    css = await client.get(css_url.group(1), headers=gzip_only)
    assert css.headers["content-encoding"] == "gzip"
    assert int(css.headers["content-length"]) < len(css.content) / 3
    console_js = await client.get("/console/static/app.js", headers=gzip_only)
    assert console_js.headers["content-encoding"] == "gzip"
    assert (await client.get("/widget.js", headers=gzip_only)).headers["content-encoding"] == "gzip"
    refused = await client.get("/help", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers
    png = await client.get("/help/assets/account/images/reset-form.png", headers=gzip_only)
    assert "content-encoding" not in png.headers  # images are compressed already


async def test_every_page_has_an_icon(client: httpx.AsyncClient) -> None:
    page = (await client.get("/help")).text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon
    for url in (icon.group(1), "/favicon.ico"):
        response = await client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.text.startswith("<svg")
    demo = (await client.get("/")).text
    assert '<link rel="icon"' in demo


async def test_the_help_center_speaks_slovenian(client: httpx.AsyncClient) -> None:
    home = await client.get("/help?locale=sl")
    assert '<html lang="sl">' in home.text
    assert "Kako vam lahko pomagamo?" in home.text
    assert "1 članek" in home.text
    assert "Slovenščina" in home.text
    article = (await client.get("/help/articles/sl/geslo")).text
    assert "Vam je bil ta članek v pomoč?" in article
