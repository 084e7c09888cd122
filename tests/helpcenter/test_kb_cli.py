"""``parley kb index / check / report`` as a writer runs them: real processes, real files."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx

from parley.knowledge.index import IndexStore
from tests.helpcenter.sample_kb import write_sample_kb
from tests.support.live_server import PARLEY, LiveServer, parley_env, run_parley


def _env(tmp_path: Path) -> dict[str, str]:
    return parley_env(data_dir=str(tmp_path / "data"), kb_dir=str(tmp_path / "kb"))


def test_index_prints_what_it_indexed(tmp_path: Path) -> None:
    write_sample_kb(tmp_path / "kb")
    result = run_parley("kb", "index", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "5 articles" in out  # the draft is not published
    assert "2 FAQ items" in out
    assert "2 locales (en, pl)" in out
    assert "0 problems" in out  # the draft is not a problem either
    (tmp_path / "kb" / "broken.md").write_bytes(b"---\ntitle: [unclosed\n---\nText.\n")
    rebuilt = run_parley("kb", "index", "--rebuild", env=_env(tmp_path), cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "5 articles, 2 FAQ items, 2 locales (en, pl), 1 problems" in rebuilt.stdout
    assert "see them with: parley kb check" in rebuilt.stdout


def _generation(tmp_path: Path) -> int:
    """How many times the index was committed (each build or update is one generation)."""
    return IndexStore(tmp_path / "kb", tmp_path / "data" / "kb_index").latest_generation()


def test_rebuild_on_a_fresh_data_dir_builds_once(tmp_path: Path) -> None:
    write_sample_kb(tmp_path / "kb")
    result = run_parley("kb", "index", "--rebuild", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "5 articles" in result.stdout
    assert _generation(tmp_path) == 1  # it was 2: a build on opening, then the rebuild
    again = run_parley("kb", "index", "--rebuild", env=_env(tmp_path), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert _generation(tmp_path) == 2


def test_progress_is_drawn_on_a_terminal_only(tmp_path: Path) -> None:
    write_sample_kb(tmp_path / "kb")
    piped = run_parley("kb", "index", env=_env(tmp_path), cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert "files/s" not in piped.stdout + piped.stderr  # logs and pipes stay clean

    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [str(PARLEY), "kb", "index", "--rebuild"],
            env=_env(tmp_path),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
        )
        os.close(terminal)
        drawn = b""
        while chunk := _read(controller):
            drawn += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    shown = drawn.decode()
    assert "Indexing" in shown
    assert "6/6" in shown  # files parsed of total (the draft is parsed too)
    assert "files/s" in shown


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal's other end closed: everything has been read
        return b""


def test_check_is_quiet_and_zero_on_a_clean_kb(tmp_path: Path) -> None:
    write_sample_kb(tmp_path / "kb")
    result = run_parley("kb", "check", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_check_reports_a_broken_file_with_its_line(tmp_path: Path) -> None:
    write_sample_kb(tmp_path / "kb")
    broken = tmp_path / "kb" / "billing" / "broken.md"
    broken.write_text(
        "---\ntitle: Broken\ncategory: Billing\ntags: {oops: [\n---\n\nBody.\n", encoding="utf-8"
    )
    bad_locale = tmp_path / "kb" / "billing" / "bad-locale.md"
    bad_locale.write_text("---\ntitle: Bad\nlocale: not a locale\n---\n\nBody.\n", encoding="utf-8")
    result = run_parley("kb", "check", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(re.search(r"billing/broken\.md:\d+: invalid YAML", line) for line in lines), lines
    assert any("billing/bad-locale.md:3: locale:" in line for line in lines), result.stdout


def test_check_refuses_a_missing_kb_dir(tmp_path: Path) -> None:
    result = run_parley("kb", "check", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_report_shows_a_search_that_found_nothing(tmp_path: Path) -> None:
    write_sample_kb(tmp_path / "kb")
    env = _env(tmp_path)
    server = LiveServer(env, tmp_path).start()
    try:
        for query in ("qwxz zzkv", "qwxz zzkv", "refund"):
            response = httpx.get(f"{server.url}/api/v1/kb/search", params={"q": query})
            assert response.status_code == 200
    finally:
        server.stop()
    result = run_parley("kb", "report", "--days", "7", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "the last 7 days" in out
    unanswered = out.split("Searches with no results")[1].split("Articles voted")[0]
    assert "qwxz zzkv" in unanswered
    assert "refund" not in unanswered
    assert "refund" in out.split("Searches with no results")[0]
