"""What every benchmark prints: its table (Markdown), and the commit it measured."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def print_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A Markdown table, ready to paste into a note."""
    for cells in (header, ["---"] * len(header), *rows):
        print("| " + " | ".join(cells) + " |")


def commit_measured(*paths: str) -> str:
    """The short HEAD, with " + uncommitted changes" when the code measured (``paths``; the
    whole working tree without any) differs from it."""
    head = _git("rev-parse", "--short", "HEAD") or "unknown (no commit yet)"
    dirty = _git("status", "--porcelain", "--", *paths)
    return f"{head} + uncommitted changes" if dirty else head


def _git(*args: str) -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
        if done.returncode == 0:
            return done.stdout.strip()
    return None
