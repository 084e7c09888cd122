"""What the widget costs a customer's page: bytes downloaded from Parley and time to a bubble.

A real ``parley serve`` and its demo page (a product page with the one-line tag) loaded by
headless Chromium N times, each in a fresh profile. The demo page is on the server's own origin
because ``POST /api/v1/visitors`` is same-origin only for now; the page itself is not counted:

- gzipped bytes (response bodies as sent on the wire) downloaded from the Parley server before
  the bubble is opened (budget 12 KB) and after opening it and asking a question (budget 40 KB);
- milliseconds from the start of the ``widget.js`` request to the bubble being in the page;
- Lighthouse (npm ``lighthouse``, installed on first use into the git-ignored
  ``benchmarks/node_modules``, driving the same Chromium) on the demo page served from another
  origin, as a customer's site, with and without the one-line tag, alternating in the same run:
  the points each category loses with the widget and the total blocking time it adds (the
  baseline is the page without the tag).

Bytes are exact, so there is no baseline for them (see shared BENCHMARKS.md). Prints Markdown
tables. Run: ``.venv/bin/python benchmarks/widget_size.py [N] [LIGHTHOUSE_PAIRS]``.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, Response, async_playwright

from _lighthouse import CATEGORIES, CHROMIUM, customer_pages, lighthouse_binary, lighthouse_run
from _report import commit_measured, print_table

REPO = Path(__file__).resolve().parent.parent
PARLEY = Path(sys.executable).with_name("parley")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BEFORE_BUDGET = 12 * 1024
AFTER_BUDGET = 40 * 1024
# Set before any page script: when the widget's host element enters the page, the bubble is up.
BUBBLE_CLOCK = """
new MutationObserver((changes, observer) => {
  if (document.querySelector("parley-widget")) {
    window.__bubbleAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_parley(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(PARLEY_DATA_DIR=str(data_dir), PARLEY_KB_DIR=str(REPO / "kb_articles"))
    process = subprocess.Popen(
        [str(PARLEY), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("parley serve did not become healthy within 60 s")


class ByteCounter:
    """Encoded (gzipped) body bytes of every response from the Parley origin but the page."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.responses: list[Response] = []

    def __call__(self, response: Response) -> None:
        if response.url.startswith(self.origin) and not response.request.is_navigation_request():
            self.responses.append(response)

    async def total(self) -> tuple[int, int]:
        sizes = [await r.request.sizes() for r in self.responses]
        return sum(s["responseBodySize"] for s in sizes), len(sizes)


async def one_visit(browser: Browser, host_url: str, parley_url: str) -> dict[str, float]:
    context = await browser.new_context()
    await context.add_init_script(BUBBLE_CLOCK)
    page: Page = await context.new_page()
    counter = ByteCounter(parley_url)
    page.on("response", counter)
    await page.goto(host_url)
    launcher = page.locator("parley-widget .launcher")
    await launcher.wait_for(state="visible")
    await page.wait_for_load_state("networkidle")
    before, requests_before = await counter.total()
    bubble_ms = await page.evaluate(
        "(url) => window.__bubbleAt - performance.getEntriesByName(url)[0].startTime",
        f"{parley_url}/widget.js",
    )
    await launcher.click()
    search = page.locator("parley-widget .search")
    await search.fill("How do I reset my password?")
    await search.press("Enter")
    await page.locator("parley-widget .log .msg").first.wait_for()
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(300)  # late module or API responses
    after, requests_after = await counter.total()
    await context.close()
    return {
        "before": before,
        "after": after,
        "requests_before": requests_before,
        "requests_after": requests_after,
        "bubble_ms": bubble_ms,
    }


def versions(browser: Browser) -> str:
    packages = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("playwright", "starlette", "uvicorn")
    )
    return f"Chromium {browser.version}, {packages}"


def bytes_cell(values: list[float]) -> str:
    return f"{max(values):,.0f} B"  # the largest seen: bytes should not vary between runs


def time_cell(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.0f} ms / max {max(values):.0f} ms"


def lighthouse_table(parley_url: str, pairs: int) -> None:
    binary = lighthouse_binary()
    if binary is None:
        print("\nLighthouse could not run here: npm could not install it.")
        return
    with tempfile.TemporaryDirectory() as tmp:
        runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
        with customer_pages(Path(tmp), parley_url) as origin:
            for i in range(pairs):  # alternate, so drift in the machine's load hits both
                for variant in ("without", "with") if i % 2 == 0 else ("with", "without"):
                    url = f"{origin}/{variant}.html"
                    runs[variant].append(lighthouse_run(binary, url, Path(tmp) / "report.json"))

    def median(variant: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[variant])

    rows = []
    for key in (*CATEGORIES, "tbt"):
        without, with_widget = median("without", key), median("with", key)
        if key == "tbt":
            name, cells = "total blocking time (ms)", (f"{without:.0f}", f"{with_widget:.0f}")
            change = f"+{with_widget - without:.0f} ms (budget ≤ 20 ms)"
        else:
            name, cells = f"{key} score", (f"{without:.0f}", f"{with_widget:.0f}")
            change = f"{without - with_widget:.0f} points lost (budget 0)"
        rows.append((name, *cells, change, str(pairs)))
    print()
    header = ["Lighthouse, demo page", "without the tag", "with the widget", "widget's cost", "N"]
    print_table(header, rows)
    print(f"\nMedians of N runs each, alternating; Lighthouse {runs['with'][0]['version']}")
    print("(mobile, simulated throttling) driving the same Chromium; loopback, 2 shared cores.")


async def main(n: int, lighthouse_pairs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, parley_url = start_parley(Path(tmp) / "data")
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                visits = [await one_visit(browser, parley_url + "/", parley_url) for _ in range(n)]
                env = f"{commit_measured('widget')}; {versions(browser)}"
                await browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)

    def column(key: str) -> list[float]:
        return [visit[key] for visit in visits]

    rows = [
        (
            "gzipped bytes before the bubble is opened",
            bytes_cell(column("before")),
            f"≤ {BEFORE_BUDGET:,} B",
        ),
        (
            "gzipped bytes after opening and asking",
            bytes_cell(column("after")),
            f"≤ {AFTER_BUDGET:,} B",
        ),
        (
            "requests before / after opening",
            f"{max(column('requests_before')):.0f} / {max(column('requests_after')):.0f}",
            "",
        ),
        ("widget.js request → bubble in the page", time_cell(column("bubble_ms")), ""),
    ]
    header = [
        "widget, downloaded from the Parley server",
        "Parley",
        "budget",
        "N",
        "commit; versions",
    ]
    print_table(header, [(name, value, budget, str(n), env) for name, value, budget in rows])
    print("\nLoopback only; the browser shares the machine's 2 cores with the server, so the time")
    print("is noisy (p50 and max over N fresh profiles). Bytes are exact and need no baseline.")
    if lighthouse_pairs:
        with tempfile.TemporaryDirectory() as tmp:
            process, parley_url = start_parley(Path(tmp) / "data")
            try:
                lighthouse_table(parley_url, lighthouse_pairs)
            finally:
                process.terminate()
                process.wait(timeout=10)


if __name__ == "__main__":
    visits = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    asyncio.run(main(visits, int(sys.argv[2]) if len(sys.argv) > 2 else 3))
