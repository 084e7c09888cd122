"""The builds people actually wait for, timed as whole processes: ``parley kb index`` on a
fresh data dir, ``parley kb index --rebuild`` on an existing one, and ``parley serve`` on a
fresh data dir until ``/healthz`` answers, each beside a whole-process build of the same corpus
by plain Whoosh (``_whoosh.py``) in the same run. Interpreter start, imports, parse workers,
migrations and the snapshot load are all in the figures, as they are in what a writer sees."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

PARLEY = Path(sys.executable).with_name("parley")
WHOOSH = Path(__file__).with_name("_whoosh.py")
ROUNDS = 2  # each command runs this many times, interleaved with the others; the best counts
HEALTHY_TIMEOUT_S = 600.0


def command_rows(kb_dir: Path, work: Path) -> list[tuple[str, str, str, str]]:
    """(what, plain Whoosh s, Parley s, ratio) for each command, best of ``ROUNDS``."""
    best: dict[str, float] = {}
    runs: list[tuple[str, Callable[[Path], float]]] = [
        ("whoosh", lambda at: _timed([sys.executable, str(WHOOSH), str(kb_dir), str(at)], {})),
        ("index", lambda at: _timed([str(PARLEY), "kb", "index"], _env(kb_dir, at))),
        ("rebuild", lambda at: _timed([str(PARLEY), "kb", "index", "--rebuild"], _env(kb_dir, at))),
        ("serve", lambda at: _time_to_healthy(_env(kb_dir, at))),
    ]
    for number in range(ROUNDS):
        fresh = work / f"commands-{number}"
        for name, run in runs:
            # --rebuild runs on the data dir ``parley kb index`` has just filled.
            at = fresh / ("index" if name == "rebuild" else name)
            best[name] = min(best.get(name, float("inf")), run(at))
        shutil.rmtree(fresh)
    whoosh = best["whoosh"]
    labels = {
        "index": "`parley kb index`, fresh data dir",
        "rebuild": "`parley kb index --rebuild`, existing index",
        "serve": "`parley serve`, fresh data dir, until /healthz answers",
    }
    return [
        (
            f"{label} (s, best of {ROUNDS})",
            f"{whoosh:.1f}",
            f"{best[name]:.1f}",
            _ratio(whoosh, best[name]),
        )
        for name, label in labels.items()
    ]


def _ratio(baseline: float, parley: float) -> str:
    return f"{parley / baseline:.2f}×"


def _env(kb_dir: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(PARLEY_KB_DIR=str(kb_dir), PARLEY_DATA_DIR=str(data_dir), PARLEY_LOG_LEVEL="WARNING")
    return env


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env or None, check=True, capture_output=True)
    return time.perf_counter() - started


def _time_to_healthy(env: dict[str, str]) -> float:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(PARLEY), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < HEALTHY_TIMEOUT_S:
            if server.poll() is not None:
                raise SystemExit("parley serve exited before it became healthy")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise SystemExit("parley serve never became healthy")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
