"""Lighthouse on the demo page, as a customer's site, with and without the one-line tag: the
widget costs no points in accessibility, best practices or SEO. (Performance and blocking time
are times, so they belong to ``benchmarks/widget_size.py``, which reports them beside the
page without the tag.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks._lighthouse import customer_pages, lighthouse_binary, lighthouse_run

from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser

UNTIMED = ("accessibility", "best-practices", "seo")


def test_the_widget_costs_no_lighthouse_points(server: LiveServer, tmp_path: Path) -> None:
    binary = lighthouse_binary()
    assert binary, "npm could not install lighthouse (npm install --prefix benchmarks lighthouse)"
    with customer_pages(tmp_path, server.url) as origin:
        without = lighthouse_run(binary, f"{origin}/without.html", tmp_path / "without.json")
        with_widget = lighthouse_run(binary, f"{origin}/with.html", tmp_path / "with.json")
    assert {c: with_widget[c] for c in UNTIMED} == {c: without[c] for c in UNTIMED}
    assert all(without[c] == 100 for c in UNTIMED), without  # the page itself is clean too
