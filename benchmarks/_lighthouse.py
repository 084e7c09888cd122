"""Lighthouse (npm ``lighthouse``, a test- and benchmark-time tool, never needed to run Parley)
on the demo page served from its own origin, as a customer's site would, with and without the
one-line tag. Used by ``benchmarks/widget_size.py`` (scores and blocking time, a same-run
baseline) and by ``tests/browser/test_widget_lighthouse.py`` (points lost, which are not times).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = REPO / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TAG = '<script src="/widget.js" async></script>'


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def customer_pages(directory: Path, parley_url: str) -> Iterator[str]:
    """The demo page on its own origin (yielded), as a customer's site: ``with.html`` has the
    tag (pointing at Parley), ``without.html`` not. Both link Parley's icon, so neither loses
    points for a missing one."""
    page = (REPO / "server" / "parley" / "demo" / "page.html").read_text(encoding="utf-8")
    page = page.replace('href="/favicon.ico"', f'href="{parley_url}/favicon.ico"')
    assert TAG in page, "the demo page no longer embeds the widget with the one-line tag"
    (directory / "with.html").write_text(
        page.replace(TAG, f'<script src="{parley_url}/widget.js" async></script>'), "utf-8"
    )
    (directory / "without.html").write_text(page.replace(TAG, ""), "utf-8")
    handler = functools.partial(QuietFiles, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def lighthouse_binary() -> Path | None:
    if not LIGHTHOUSE.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "install", "--prefix", str(LIGHTHOUSE.parents[2]), "--no-save", "--no-audit",
             "--no-fund", "lighthouse"],
            check=False, capture_output=True, timeout=600,
        )  # fmt: skip
    return LIGHTHOUSE if LIGHTHOUSE.exists() else None


def lighthouse_run(binary: Path, url: str, out: Path) -> dict[str, Any]:
    """One run (Lighthouse's default: mobile, simulated throttling): each category's score
    (0-100), ``tbt`` (ms) and ``version``."""
    subprocess.run(
        [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        check=True, capture_output=True, timeout=300, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    report = json.loads(out.read_text(encoding="utf-8"))
    found = {name: 100 * report["categories"][name]["score"] for name in CATEGORIES}
    found["tbt"] = report["audits"]["total-blocking-time"]["numericValue"]
    found["version"] = report["lighthouseVersion"]
    return found
