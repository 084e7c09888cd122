"""The file watcher: an edit becomes searchable while the server runs, without a restart."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from parley.knowledge import KnowledgeBase, watch
from tests.knowledge.conftest import write

TIMEOUT_S = 15.0  # generous: these machines are shared; speed is the benchmark's business


@contextlib.asynccontextmanager
async def watching(kb: KnowledgeBase) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(watch(kb, stop))
    await asyncio.sleep(0.3)  # the watcher is listening once awatch has started
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT_S)


async def eventually(check: Callable[[], bool]) -> None:
    deadline = asyncio.get_running_loop().time() + TIMEOUT_S
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("the watcher did not pick up the change in time")
        await asyncio.sleep(0.05)


def slugs_for(kb: KnowledgeBase, query: str) -> list[str]:
    return [hit.slug for hit in kb.search(query).results]


async def test_a_new_file_becomes_searchable(kb: KnowledgeBase, kb_dir: Path) -> None:
    async with watching(kb):
        await asyncio.to_thread(write, kb_dir, "guides/new.md", "# Kangaroo export\n\nHop.\n")
        await eventually(lambda: slugs_for(kb, "kangaroo") == ["guides/new"])


async def test_edits_and_deletions_are_picked_up(kb: KnowledgeBase, kb_dir: Path) -> None:
    async with watching(kb):
        await asyncio.to_thread(
            write, kb_dir, "billing/refunds.md", "# Refunds\n\nRefunds take platypus days.\n"
        )
        await eventually(lambda: slugs_for(kb, "platypus") == ["billing/refunds"])

        await asyncio.to_thread((kb_dir / "billing/refunds.md").unlink)
        await eventually(lambda: kb.article("billing/refunds") is None)


async def test_a_broken_file_is_reported_not_fatal(kb: KnowledgeBase, kb_dir: Path) -> None:
    async with watching(kb):
        await asyncio.to_thread(write, kb_dir, "broken.md", "---\ntitle: [oops\n---\nx\n")
        await eventually(lambda: [p.path for p in kb.problems()] == ["broken.md"])
        await asyncio.to_thread(write, kb_dir, "fine.md", "# Wombat\n")
        await eventually(lambda: slugs_for(kb, "wombat") == ["fine"])


async def test_setting_stop_ends_the_watcher(kb: KnowledgeBase) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(watch(kb, stop))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, TIMEOUT_S)
    assert task.done()
    assert task.exception() is None
