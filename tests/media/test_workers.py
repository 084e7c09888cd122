"""The image workers: their own threads, and a memory budget every upload reserves from."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from parley.errors import PayloadTooLarge, UnsupportedMediaType
from parley.media.images import ImageLimits
from parley.media.workers import ImageWorkers
from tests.media import animation_bytes, image_bytes, png_header

LIMITS = ImageLimits(max_pixels=40_000_000, max_frames=300)


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


async def test_an_image_that_could_never_fit_the_budget_is_refused_unread(tmp_path: Path) -> None:
    """A 6300x6300 PNG is within the pixel limit, but decoding it would hold ~450 MB."""
    workers = ImageWorkers(1, 192 * 2**20)
    with pytest.raises(PayloadTooLarge, match="more than this server allows"):
        await workers.process(_file(tmp_path, "huge.png", png_header(6300, 6300)), LIMITS)
    workers.close()


async def test_jobs_share_the_budget_and_give_it_back_whatever_happens(tmp_path: Path) -> None:
    still = image_bytes("PNG", (400, 300))
    one_job = 400 * 300 * 12
    workers = ImageWorkers(4, int(one_job * 1.5))  # room for one job at a time
    paths = [_file(tmp_path, f"{n}.png", still) for n in range(6)]
    broken = _file(tmp_path, "broken.gif", animation_bytes("GIF", [50, 50])[:40])
    results = await asyncio.gather(
        *(workers.process(path, LIMITS) for path in [*paths, broken]), return_exceptions=True
    )
    assert [type(r).__name__ for r in results[:6]] == ["Processed"] * 6
    assert isinstance(results[6], UnsupportedMediaType | PayloadTooLarge)
    await asyncio.sleep(0.05)  # releases are scheduled from the worker threads' callbacks
    assert workers.reserved_bytes == 0
    workers.close()


def _my_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_image_work_yields_the_cpu_to_the_event_loop() -> None:
    """Image threads run at a lower priority than the thread that serves sockets."""
    workers = ImageWorkers(1, 192 * 2**20)
    try:
        in_worker = await workers._run(_my_niceness)
    finally:
        workers.close()
    assert in_worker >= min(19, _my_niceness() + 5)
