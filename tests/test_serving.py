"""What Parley's WebSocket protocol offers its app beyond ASGI (``write_text_now``), and the
malloc arenas of a serving process.

uvicorn with `parley serve`'s options on a loopback port, a bare ASGI app and a real client,
so what is checked is what reaches the wire.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from parley.serving import SERVER_OPTIONS, WRITE_TEXT_NOW, PacedWebSocketProtocol
from tests.conftest import free_port


async def test_frames_written_at_once_reach_the_client_in_order_with_asgi_ones() -> None:
    outcomes: dict[str, bool] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        write = scope["extensions"][WRITE_TEXT_NOW]
        await receive()  # websocket.connect
        outcomes["before accept"] = write(b'"too early"')
        await send({"type": "websocket.accept"})
        outcomes["open"] = write('{"text":"naïve"}'.encode())
        await send({"type": "websocket.send", "text": "the ASGI way"})
        protocol: PacedWebSocketProtocol = write.__self__
        protocol.pause_writing()  # the transport's buffer is full: nothing more at once
        outcomes["buffer full"] = write(b'"must wait"')
        protocol.resume_writing()
        outcomes["again"] = write(b'"third"')
        await send({"type": "websocket.close", "code": 1000})
        outcomes["after close"] = write(b'"too late"')

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **SERVER_OPTIONS
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if serving.done():
            serving.result()  # it failed to start: say why
    try:
        async with connect(f"ws://127.0.0.1:{port}/ws") as client:
            received = [message async for message in client]
    finally:
        server.should_exit = True
        await serving

    assert received == ['{"text":"naïve"}', "the ASGI way", '"third"']
    assert outcomes == {
        "before accept": False,
        "open": True,
        "buffer full": False,
        "again": True,
        "after close": False,
    }


# Eight threads, all alive at once (an exited thread's arena is reused), each hold blocks
# glibc's malloc gave them; the process then counts its malloc heaps (a thread arena reserves
# a 64 MiB-aligned region of its own).
_COUNT_ARENAS = """
import sys, threading
from parley.serving import limit_malloc_arenas
if sys.argv[1] == "limited":
    limit_malloc_arenas()
all_allocated = threading.Barrier(8)
held = []
def allocate():
    held.append([bytearray(4000) for _ in range(100)])
    all_allocated.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
heaps = set()
for line in open("/proc/self/maps"):
    fields = line.split()
    start = int(fields[0].split("-")[0], 16)
    if len(fields) == 5 and start % (64 << 20) == 0:
        heaps.add(start)
print(len(heaps))
"""


def _malloc_heaps(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}  # glibc's default
    run = subprocess.run(
        [sys.executable, "-c", _COUNT_ARENAS, mode], env=env, capture_output=True, check=True
    )
    return int(run.stdout)


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):
        return False


@pytest.mark.skipif(not _glibc(), reason="malloc arenas are glibc's")
def test_a_serving_process_keeps_few_malloc_arenas_however_many_threads_allocate() -> None:
    assert _malloc_heaps("limited") <= 3
    assert _malloc_heaps("unlimited") >= 6  # what the limit is for: one arena per thread
