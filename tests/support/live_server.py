"""A real ``parley serve`` in a subprocess, for tests that need sockets, restarts or crashes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PARLEY = Path(sys.executable).with_name("parley")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_parley(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARLEY), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def parley_env(**settings: str) -> dict[str, str]:
    """The current environment without any PARLEY_* leaking in, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update({f"PARLEY_{name.upper()}": value for name, value in settings.items()})
    return env


class LiveServer:
    def __init__(self, env: dict[str, str], cwd: Path, *extra_args: str) -> None:
        self.port = free_port()
        self.env = env
        self.cwd = cwd
        self.extra_args = extra_args
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> LiveServer:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [str(PARLEY), "serve", "--port", str(self.port), *self.extra_args],
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"parley serve exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"parley serve did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing; what was acknowledged must already be durable."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self, timeout: float = 30.0) -> LiveServer:
        """Stop, then serve again on the same port: clients see a server restart, not a move."""
        self.stop()
        return self.start(timeout)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
