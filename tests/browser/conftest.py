"""Browser fixtures: one real ``parley serve``, Debian's Chromium driven by Playwright, and
host pages on another origin: a tiny static server on its own loopback port (Chromium refuses
requests from a public page, which is what a page fulfilled by Playwright counts as, to a
loopback server). What needs the server's same-origin-only endpoints uses the demo page at
``/``, which embeds the widget with the one-line tag.

axe-core is a test-time tool from npm: the ``axe_source`` fixture installs it once into the
git-ignored ``tests/browser/node_modules`` (``npm install --prefix tests/browser axe-core``).
"""

from __future__ import annotations

import itertools
import secrets
import shutil
import subprocess
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.support.chat import ChatClient, agent_client, agent_token
from tests.support.live_server import LiveServer, parley_env, run_parley

HERE = Path(__file__).parent
REPO = HERE.parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
AGENT_EMAIL = "ann@example.com"
AGENT_PASSWORD = "correct horse battery staple"

HostPage = Callable[..., Awaitable[Page]]
_client_ids = itertools.count(1)


def start_server(root: Path) -> LiveServer:
    """A real ``parley serve`` with its own data under ``root`` and one agent, Ann."""
    env = parley_env(
        data_dir=str(root / "data"),
        kb_dir=str(REPO / "kb_articles"),
        secret_key=secrets.token_urlsafe(32),
        presence_grace_seconds="1",  # an agent who left is offline by the next test
    )
    live = LiveServer(env, root).start()
    created = run_parley(
        "agents", "create", "--email", AGENT_EMAIL, "--name", "Ann", "--password", AGENT_PASSWORD,
        env=env, cwd=root,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    return live


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("widget-server"))
    yield live
    live.stop()


@pytest.fixture
async def agent(server: LiveServer) -> AsyncIterator[ChatClient]:
    """Ann, online on a real agent socket."""
    token = await agent_token(server.url, AGENT_EMAIL, AGENT_PASSWORD)
    client, _ = await agent_client(server.url, token)
    await client.send({"type": "presence", "status": "online"})
    yield client
    await client.close()


async def agent_says(agent: ChatClient, conversation_id: str, text: str, **extra: Any) -> None:
    """Send as the agent and wait until the server has stored it."""
    client_id = f"agent-{next(_client_ids)}"
    frame = {"type": "message", "conversation_id": conversation_id, "client_id": client_id}
    await agent.send({**frame, "text": text, **extra})
    await agent.expect("ack", client_id=client_id)


class HostPages(ThreadingHTTPServer):
    """Serves the HTML registered under each path; the customer's site in these tests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HostPageHandler)
        self.pages: dict[str, bytes] = {}
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"


class _HostPageHandler(BaseHTTPRequestHandler):
    server: HostPages

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet


@pytest.fixture(scope="session")
def host_pages() -> Iterator[HostPages]:
    pages = HostPages()
    thread = threading.Thread(target=pages.serve_forever, daemon=True)
    thread.start()
    yield pages
    pages.shutdown()
    pages.server_close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh profile per test: empty localStorage, so no test sees another's visitor."""
    fresh = await browser.new_context(viewport={"width": 1280, "height": 800})
    yield fresh
    await fresh.close()


def tag(server: LiveServer, **data: str) -> str:
    attributes = "".join(f' data-{name}="{value}"' for name, value in data.items())
    return f'<script src="{server.url}/widget.js" async{attributes}></script>'


def host_html(body: str, head: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Customer site</title>{head}</head><body>{body}</body></html>"
    )


@pytest.fixture
def host_page(context: BrowserContext, host_pages: HostPages) -> HostPage:
    """Open a page with the given HTML on the customer's origin (not the server's)."""

    async def open_page(html: str, *, page: Page | None = None) -> Page:
        path = f"/{secrets.token_hex(4)}.html"
        host_pages.pages[path] = html.encode()
        page = page or await context.new_page()
        await page.goto(host_pages.origin + path)
        return page

    return open_page


@pytest.fixture
async def demo_page(context: BrowserContext, server: LiveServer) -> Page:
    """The server's own demo page: the widget on the same origin as the API."""
    page = await context.new_page()
    await page.goto(server.url + "/")
    return page


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm on first use into tests/browser/node_modules."""
    script = HERE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install axe-core for the accessibility tests"
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(HERE),
                "--no-save",
                "--no-audit",
                "--no-fund",
                "axe-core",
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return script.read_text(encoding="utf-8")


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))
