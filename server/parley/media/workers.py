"""Image work on threads of its own, inside a memory budget.

Decoding images is the one thing a visitor can make the server do that costs memory in
proportion to what they claim (width x height), and CPU for seconds. So it never runs on the
default thread pool (where password hashing and the bot's searches run): it gets a bounded
pool of its own, and each job first reserves the memory its header says decoding will hold
(``Probe.memory_bytes``). Jobs wait while the budget is spent; a job that could never fit is
refused with 413 at once. Six hostile GIFs at once therefore queue here, and nobody else
notices. The threads also run at a lower CPU priority (``IMAGE_NICENESS``, where the system
allows it): on a small machine an upload flood kept every core busy re-encoding, and the event
loop that answers every socket had to wait for a core.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from parley.errors import PayloadTooLarge
from parley.media.images import ImageLimits, Processed, probe, process

T = TypeVar("T")
IMAGE_NICENESS = 10


def _lower_priority() -> None:
    """Linux gives each thread its own nice value: this lowers only the image thread's."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), IMAGE_NICENESS)


class ImageWorkers:
    def __init__(self, workers: int, memory_budget_bytes: int) -> None:
        self._pool = ThreadPoolExecutor(
            workers, thread_name_prefix="parley-images", initializer=_lower_priority
        )
        self.memory_budget_bytes = memory_budget_bytes
        self._reserved = 0
        self._released = asyncio.Condition()

    @property
    def reserved_bytes(self) -> int:
        """Memory the running jobs have reserved (the benchmark and tests read it)."""
        return self._reserved

    async def process(self, path: Path, limits: ImageLimits) -> Processed:
        """Check and re-encode the upload at ``path`` once its memory fits in the budget."""
        found = await self._run(probe, path, limits)
        cost = found.memory_bytes
        if cost > self.memory_budget_bytes:
            raise PayloadTooLarge(
                f"the image is {found.width}×{found.height} pixels: decoding it would need "
                f"{cost // 2**20} MB, more than this server allows for images "
                f"({self.memory_budget_bytes // 2**20} MB)"
            )
        async with self._released:
            await self._released.wait_for(lambda: self._reserved + cost <= self.memory_budget_bytes)
            self._reserved += cost
        job = asyncio.get_running_loop().run_in_executor(
            self._pool, functools.partial(process, path, limits)
        )
        # The memory is in use until the thread is done, even if the request was abandoned.
        job.add_done_callback(lambda _: asyncio.ensure_future(self._release(cost)))
        return await asyncio.shield(job)

    async def _release(self, cost: int) -> None:
        async with self._released:
            self._reserved -= cost
            self._released.notify_all()

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, functools.partial(work, *args)
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
