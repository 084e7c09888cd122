"""Abuse: does one hostile client hurt anyone else, and what does the worst upload cost?

One real ``parley serve`` (SQLite). A well-behaved visitor sends messages at a steady pace
and times each ``ack``: first alone (the quiet figure), then while one client floods from
another address (uploads in a loop, fifty sockets sending frames as fast as they may, and
new sockets opened until refused). The claim is the ratio of the two p99s, measured in the
same run (target: at most 2x). Then the 300-frame 730x730 GIF of the hardening issue is
uploaded and the server's peak RSS above idle is printed (target: under 100 MB).

The attacker runs in a process of its own, at nice 10: on a real site it has a machine of its
own, here it shares the server's cores, so it yields them to the server first (it still gets
every cycle the server leaves idle, so the flood is not smaller). The CPU the server and the
attacker used in each phase, and the load average, are printed beside the ratio.
Run: ``.venv/bin/python benchmarks/abuse.py``; ``ABUSE_FLOODS=frames`` (or ``sockets``,
``uploads``, comma-separated) runs only those floods, to see which one costs what.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import httpx
import websockets
from PIL import Image

from _report import REPO, commit_measured, print_table
from ws_load import cpu_seconds, rss_kb

sys.path.insert(0, str(REPO))  # tests.support: a real `parley serve` in a subprocess

from tests.support.live_server import LiveServer, parley_env

MESSAGES = 300  # p99 of 300: the third-worst ack, not the second of 120
PACE_SECONDS = 0.12  # below the per-socket limit of 10 frames a second
ATTACKER = {"X-Forwarded-For": "198.51.100.66"}  # another address, via the trusted proxy
FLOOD_SOCKETS = 50
SOCKET_ATTEMPTS = 300
# The flood runs this long before the measuring starts: its sockets are open, refused or paced
# and the kernel's buffers behind them full, so what is measured is the steady state.
FLOOD_SETTLE_SECONDS = 10
WARM_UP_MESSAGES = 5  # not timed: the first message opens the conversation and queues it
ATTACKER_NICE = 10


async def ack_latencies(base: str, count: int) -> list[float]:
    """Milliseconds from each message written to its ack, one message every PACE_SECONDS."""
    async with httpx.AsyncClient(base_url=base) as http:
        token = (await http.post("/api/v1/visitors", json={})).json()["token"]
    url = f"{base.replace('http', 'ws', 1)}/ws/visitor?token={token}"
    latencies = []
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"type": "hello"}))
        await socket.send(json.dumps({"type": "handoff"}))  # queued: no bot turn per message
        for index in range(-WARM_UP_MESSAGES, count):
            client_id = f"m{index}"
            started = time.perf_counter()
            await socket.send(json.dumps({"type": "message", "client_id": client_id, "text": "hi"}))
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
                if frame["type"] == "ack" and frame["client_id"] == client_id:
                    break
            if index >= 0:
                latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(PACE_SECONDS)
    return latencies


async def attacker_visitor(http: httpx.AsyncClient) -> str | None:
    response = await http.post("/api/v1/visitors", json={}, headers=ATTACKER)
    return response.json()["token"] if response.status_code == 201 else None


async def flood_frames(base: str, stop: asyncio.Event, tally: Counter[str]) -> None:
    """Fifty sockets over five visitors, each sending typing frames as fast as it may."""
    async with httpx.AsyncClient(base_url=base) as http:
        tokens = [token for token in [await attacker_visitor(http) for _ in range(5)] if token]

    async def one(token: str) -> None:
        url = f"{base.replace('http', 'ws', 1)}/ws/visitor?token={token}"
        while not stop.is_set():
            try:
                async with websockets.connect(url, additional_headers=ATTACKER) as socket:
                    await socket.send('{"type":"hello"}')
                    while not stop.is_set():
                        await socket.send('{"type":"typing","state":true}')
                        tally["frames"] += 1
                        await asyncio.sleep(0)
            except websockets.InvalidStatus as refused:
                tally[f"frame sockets refused {refused.response.status_code}"] += 1
                await asyncio.sleep(0.2)  # a flooder does not wait for Retry-After
            except (websockets.WebSocketException, OSError):
                tally["frame sockets closed"] += 1
                await asyncio.sleep(0.2)

    await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(FLOOD_SOCKETS)))


async def flood_sockets(base: str, stop: asyncio.Event, tally: Counter[str]) -> None:
    """New sockets, held open, until the server refuses them (then keep trying, slowly)."""
    held = []
    async with httpx.AsyncClient(base_url=base) as http:
        tokens = [token for token in [await attacker_visitor(http) for _ in range(20)] if token]
    url = f"{base.replace('http', 'ws', 1)}/ws/visitor?token="
    for attempt in range(SOCKET_ATTEMPTS):
        if stop.is_set() or not tokens:
            break
        with contextlib.suppress(websockets.WebSocketException, OSError):
            held.append(
                await websockets.connect(
                    url + tokens[attempt % len(tokens)], additional_headers=ATTACKER
                )
            )
            tally["sockets opened"] += 1
        await asyncio.sleep(0.01)
    await stop.wait()
    for socket in held:
        with contextlib.suppress(Exception):
            await socket.close()


async def upload_targets(base: str, count: int) -> list[tuple[str, str]]:
    """(token, conversation id) for the upload flood, made before the socket flood holds every
    socket the attacker's address may open (a conversation is opened over a socket)."""
    targets = []
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(count):
            token = await attacker_visitor(http)
            if token is not None:
                targets.append((token, await open_conversation(base, token)))
    return targets


async def flood_uploads(
    base: str, stop: asyncio.Event, tally: Counter[str], targets: list[tuple[str, str]]
) -> None:
    """Uploads never sent in a message, one after another, round the prepared visitors."""
    buffer = io.BytesIO()
    Image.effect_noise((600, 400), 80).convert("RGB").save(buffer, "PNG")
    image = buffer.getvalue()
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for turn in itertools.count():
            if stop.is_set() or not targets:
                break
            token, conversation_id = targets[turn % len(targets)]
            response = await http.post(
                "/api/v1/attachments",
                headers={**ATTACKER, "Authorization": f"Bearer {token}"},
                data={"conversation_id": conversation_id},
                files={"file": ("x.png", image, "image/png")},
            )
            tally[f"uploads {response.status_code}"] += 1


async def open_conversation(base: str, token: str) -> str:
    url = f"{base.replace('http', 'ws', 1)}/ws/visitor?token={token}"
    async with websockets.connect(url, additional_headers=ATTACKER) as socket:
        await socket.send('{"type":"message","client_id":"c1","text":"hello"}')
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if frame["type"] == "ack":
                return str(frame["conversation_id"])


def hostile_gif() -> bytes:
    """300 frames of 730x730: a little over 400 KB on the wire, 640 MB as RGBA."""
    frames = []
    for index in range(300):
        frame = Image.new("P", (730, 730), index % 200)
        frame.putpalette(
            [channel for colour in range(256) for channel in (colour, 90, 255 - colour)]
        )
        frame.paste(255, (index * 2 % 700, 0, index * 2 % 700 + 30, 730))
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=40, loop=0)
    return buffer.getvalue()


async def gif_peak(server: LiveServer, pid: int) -> tuple[int, int, float, int]:
    """(bytes, peak RSS above idle in MB, seconds, status) for one upload of the GIF."""
    data = hostile_gif()
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        token = (await http.post("/api/v1/visitors", json={})).json()["token"]
        conversation_id = await open_conversation(server.url, token)
        await asyncio.sleep(2)
        idle = rss_kb([pid])
        peak = idle
        upload = asyncio.create_task(
            http.post(
                "/api/v1/attachments",
                headers={"Authorization": f"Bearer {token}"},
                data={"conversation_id": conversation_id},
                files={"file": ("hostile.gif", data, "image/gif")},
            )
        )
        started = time.perf_counter()
        while not upload.done():
            peak = max(peak, rss_kb([pid]))
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        response = await upload
    return len(data), (peak - idle) // 1024, elapsed, response.status_code


async def phase(base: str, pids: dict[str, int]) -> tuple[list[float], dict[str, float]]:
    """The acks of one phase, and the share of a core each watched process used meanwhile
    (and the 1-minute load average at its end), so a ratio comes with what shaped it."""
    before = {name: cpu_seconds([pid]) for name, pid in pids.items()}
    started = time.perf_counter()
    latencies = await ack_latencies(base, MESSAGES)
    elapsed = time.perf_counter() - started
    used = {name: (cpu_seconds([pid]) - before[name]) / elapsed for name, pid in pids.items()}
    return latencies, {**used, "load": os.getloadavg()[0]}


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def flood(base: str, stop_file: Path) -> None:
    """The attacker, in a process of its own (so its busy loop does not slow the measuring
    client's): every flood at once until ``stop_file`` appears; then its tally as JSON."""
    os.nice(ATTACKER_NICE)
    stop = asyncio.Event()
    tally: Counter[str] = Counter()
    chosen = os.environ.get("ABUSE_FLOODS", "frames,sockets,uploads").split(",")
    targets = await upload_targets(base, 5) if "uploads" in chosen else []
    kinds = {
        "frames": flood_frames,
        "sockets": flood_sockets,
        "uploads": functools.partial(flood_uploads, targets=targets),
    }
    floods = [asyncio.create_task(kinds[name](base, stop, tally)) for name in chosen]
    while not await asyncio.to_thread(stop_file.exists):  # noqa: ASYNC110 (another process)
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait(floods, timeout=30)
    print(json.dumps(tally))


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="parley-abuse-") as workdir:
        env = parley_env(
            data_dir=str(Path(workdir) / "data"),
            kb_dir=str(REPO / "kb_articles"),
            trusted_proxies="127.0.0.1",
            log_level="WARNING",
        )
        server = LiveServer(env, Path(workdir)).start()
        assert server.process is not None
        try:
            pids = {"server": server.process.pid}
            quiet, quiet_use = await phase(server.url, pids)
            stop_file = Path(workdir) / "stop-flooding"
            attacker = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--flood", server.url, str(stop_file),
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            await asyncio.sleep(FLOOD_SETTLE_SECONDS)
            flooded, flood_use = await phase(server.url, {**pids, "attacker": attacker.pid})
            stop_file.touch()
            output, _ = await asyncio.wait_for(attacker.communicate(), 60)
            tally = json.loads(output.decode().strip().splitlines()[-1])
            size, peak_mb, seconds, status = await gif_peak(server, server.process.pid)
        finally:
            server.stop()
    print(f"# Abuse: a well-behaved visitor while one client floods (commit {commit_measured()})")
    print(
        f"parley {version('parley')}, uvicorn {version('uvicorn')}, pillow {version('pillow')}; "
        f"server, attacker (nice {ATTACKER_NICE}) and measuring client share the machine's "
        f"{os.cpu_count()} cores; CPU is the share of one core over the phase\n"
    )
    print_table(
        ["phase", "acks", "p50 ms", "p99 ms", "max ms", "p99 / quiet p99",
         "server CPU", "attacker CPU", "load (1 min)"],
        [
            ["quiet", str(len(quiet)), f"{p(quiet, 50):.1f}", f"{p(quiet, 99):.1f}",
             f"{max(quiet):.1f}", "1.00", f"{quiet_use['server']:.0%}", "-",
             f"{quiet_use['load']:.2f}"],
            ["during the flood", str(len(flooded)), f"{p(flooded, 50):.1f}",
             f"{p(flooded, 99):.1f}", f"{max(flooded):.1f}",
             f"{p(flooded, 99) / p(quiet, 99):.2f}", f"{flood_use['server']:.0%}",
             f"{flood_use['attacker']:.0%}", f"{flood_use['load']:.2f}"],
        ],
    )  # fmt: skip
    counted = ", ".join(f"{what}: {count}" for what, count in sorted(tally.items()))
    print(f"\nThe flood, as the attacker counted it: {counted}")
    print()
    print_table(
        ["upload", "bytes", "status", "seconds", "server peak RSS above idle"],
        [["300 frames, 730x730 GIF", f"{size:,}", str(status), f"{seconds:.1f}", f"{peak_mb} MB"]],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--flood"]:
        asyncio.run(flood(sys.argv[2], Path(sys.argv[3])))
    else:
        asyncio.run(main())
