"""Visitor→agent delivery latency and memory per socket of ``parley serve``, beside a bare relay.

Shape (BENCHMARKS.md): N visitors, each in a conversation with one of M agents, each sending
one message a second from its own random phase; sockets open in batches of at most 100 and
settle before anything is measured. Every client lives in this one process on one asyncio
loop, so a message's latency is ``time.perf_counter()`` when the agent side decodes it minus
the ``perf_counter()`` the visitor wrote into its text just before sending.

The baseline is ``benchmarks/_bare_relay.py`` (same uvicorn + Starlette + websockets, no
storage), driven with the same load in the same run; the figures that count are the ratios.
Beside the server's CPU per message it prints the share of its event-loop threads (each
process's main thread): what is left is Parley's SQLite writer thread, the store's cost.
Parley is spoken to only through PROTOCOL.md: HTTP to create visitors and sign agents in,
``/ws/visitor`` and ``/ws/agent`` for everything else.

    .venv/bin/python benchmarks/ws_load.py --sizes 100,1000 --duration 20

Scale-out mode (``--database``, ``--redis``, ``--workers N``) runs Parley as N ``parley serve``
processes on one PostgreSQL and one Redis, and places every client itself: agent ``i`` on
process ``i % N``, and each visitor, once paired, on the process after its agent's, so every
message crosses Redis. No proxy: one would add a hop and a process of its own to the two
cores being measured, and uvicorn's ``--workers`` lets the kernel pick the process per
socket, so nothing could keep a visitor off its agent's. Beside the figures it prints
PostgreSQL sessions opened and commits (``pg_stat_database``, in a database of its own made
per run) and the CPU of every process involved:

    .venv/bin/python benchmarks/ws_load.py --sizes 200 --duration 10 \
        --database postgresql://postgres@127.0.0.1:5432/postgres \
        --redis redis://127.0.0.1:6379/0 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import math
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from _counters import CpuMeter, DbCounters, Postgres
from _report import commit_measured

REPO = Path(__file__).resolve().parent.parent
PARLEY = Path(sys.executable).with_name("parley")
RELAY = REPO / "benchmarks" / "_bare_relay.py"
PASSWORD = "ws-load-password-1"
BATCH = 100  # sockets (or HTTP requests) in flight at once during setup
PAIR_BATCH = 10  # handoffs in flight at once: a burst of 100 makes the router quadratic
AGENT_FRAME_GAP = 0.05  # agents may send 30 frames/s; stay well below
STEP_TIMEOUT = 30.0  # any single setup step (connect, welcome, assignment)
_decode = msgspec.json.Decoder().decode
T = TypeVar("T")
R = TypeVar("R")


# --- what one run counts ----------------------------------------------------------------


@dataclass
class Tally:
    """Everything a run counts. Readers only append and increment: no per-frame logging."""

    latencies_ms: list[float] = field(default_factory=list)
    delivered: set[str] = field(default_factory=set)
    duplicates: int = 0
    foreign: int = 0  # visitor messages that reached an agent other than the assignee
    closes: Counter[str] = field(default_factory=Counter)  # sockets the server closed
    errors: Counter[str] = field(default_factory=Counter)  # error frames and failed steps
    first_send: float = math.inf
    last_delivery: float = 0.0
    progress: asyncio.Event = field(default_factory=asyncio.Event)  # set on ack/delivery/close


@dataclass
class Result:
    n: int
    server: str
    agents: int
    tally: Tally
    sent: int = 0
    acked: int = 0
    lost: int = 0
    rss_kb_per_socket: float = math.nan
    rss_kb_per_conversation: float = math.nan  # once each visitor is assigned to an agent
    cpu_ms_per_message: float = math.nan  # server CPU from first send to end of drain
    loop_cpu_ms_per_message: float = math.nan  # of it, the event-loop (main) threads'
    server_log_errors: int = 0
    failure: str | None = None
    scale: ScaleFigures | None = None  # scale-out runs only

    def percentile(self, q: float) -> float:
        ordered = sorted(self.tally.latencies_ms)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    def delivered_per_second(self) -> float:
        span = self.tally.last_delivery - self.tally.first_send
        return len(self.tally.delivered) / span if span > 0 else math.nan


# --- clients ------------------------------------------------------------------------------


class Client:
    """One WebSocket and the task that reads it until it closes."""

    def __init__(self, url: str, tally: Tally, role: str) -> None:
        self.url = url
        self.tally = tally
        self.role = role
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.closing = False

    @property
    def open(self) -> bool:
        return self.ws is not None and self.reader is not None and not self.reader.done()

    async def connect(self) -> bool:
        try:
            self.ws = await connect(
                self.url,
                compression=None,
                ping_interval=None,  # the server pings; the client only answers
                max_size=1 << 20,
                open_timeout=STEP_TIMEOUT,
                close_timeout=2,
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            self.tally.errors[f"{self.role} connect failed: {type(exc).__name__}"] += 1
            return False
        self.reader = asyncio.create_task(self._read(self.ws))
        return True

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:  # ends when the socket closes
                try:
                    self.handle(_decode(raw), time.perf_counter())
                except (msgspec.DecodeError, ValueError, LookupError, TypeError, AttributeError):
                    self.tally.errors[f"{self.role} got an unexpected frame"] += 1
        if not self.closing:
            reason = (ws.close_reason or "")[:40]
            self.tally.closes[f"{self.role} closed {ws.close_code} {reason}".rstrip()] += 1
            self.tally.progress.set()

    def handle(self, frame: dict[str, Any], now: float) -> None:
        raise NotImplementedError

    def count_error(self, frame: dict[str, Any]) -> None:
        self.tally.errors[f"{self.role} error {frame.get('code')}"] += 1

    async def send(self, frame: str) -> bool:
        if not self.open:
            return False
        assert self.ws is not None
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            return False
        return True

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


class Agent(Client):
    """An agent console: turns every visitor message it decodes into one latency sample."""

    def __init__(self, url: str, tally: Tally, key: str, visitors: list[Visitor]) -> None:
        super().__init__(url, tally, "agent")
        self.key = key  # Parley's agent id, or the relay's pair key
        self.visitors = visitors  # indexed by the number in a client_id
        self.welcomed = asyncio.Event()
        self._last_frame = 0.0

    def handle(self, frame: dict[str, Any], now: float) -> None:
        kind = frame.get("type")
        client_id = frame.get("client_id")
        if kind == "message" and isinstance(client_id, str) and client_id.startswith("v"):
            self._delivered(client_id, frame.get("text", ""), now)
        elif kind == "welcome":
            self.welcomed.set()
        elif kind == "error":
            self.count_error(frame)

    def _delivered(self, client_id: str, text: str, now: float) -> None:
        tally = self.tally
        visitor = self.visitors[int(client_id[1 : client_id.index(".")])]
        if visitor.assignee != self.key:
            tally.foreign += 1
        elif client_id in tally.delivered:
            tally.duplicates += 1
        else:
            tally.delivered.add(client_id)
            tally.latencies_ms.append((now - float(text[2:])) * 1000)
            tally.last_delivery = now
            tally.progress.set()

    async def send_paced(self, frame: str) -> bool:
        """An agent socket may send 30 frames/s before it is closed (4429): space ours out."""
        wait = self._last_frame + AGENT_FRAME_GAP - time.monotonic()
        self._last_frame = time.monotonic() + max(0.0, wait)
        if wait > 0:
            await asyncio.sleep(wait)
        return await self.send(frame)


class Visitor(Client):
    """A widget: learns its conversation and agent from the server, then sends timestamps."""

    def __init__(self, url: str, tally: Tally, index: int, assignee: str | None) -> None:
        super().__init__(url, tally, "visitor")
        self.index = index
        self.assignee = assignee
        self.conversation_id: str | None = None
        self.sent: list[str] = []
        self.acked: set[str] = set()
        self.welcomed = asyncio.Event()
        self.routed = asyncio.Event()  # assigned, or told its queue position
        self.assigned = asyncio.Event()

    def handle(self, frame: dict[str, Any], now: float) -> None:
        kind = frame.get("type")
        if kind == "ack":
            self.acked.add(frame.get("client_id", ""))
            self.tally.progress.set()
        elif kind in ("status", "queue", "assigned"):
            self.conversation_id = frame.get("conversation_id") or self.conversation_id
            if kind == "queue":
                self.routed.set()
            elif kind == "assigned":
                self.assignee = frame.get("agent", {}).get("id")
                self.routed.set()
                self.assigned.set()
        elif kind == "welcome":
            self.welcomed.set()
        elif kind == "error":
            self.count_error(frame)

    async def move(self, url: str) -> None:
        """Close this socket and open one at ``url`` (another process): the same visitor."""
        await self.close()
        self.url, self.ws, self.reader, self.closing = url, None, None, False
        self.welcomed.clear()
        if await self.connect():
            await self.send('{"type":"hello"}')
            await wait_event(self.welcomed, self.tally, "visitor no welcome after moving")

    async def send_timestamped(self) -> bool:
        client_id = f"v{self.index}.{len(self.sent)}"
        self.sent.append(client_id)
        now = time.perf_counter()
        self.tally.first_send = min(self.tally.first_send, now)
        if await self.send(f'{{"type":"message","client_id":"{client_id}","text":"t={now!r}"}}'):
            return True
        self.sent.pop()
        return False


# --- servers under test -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_tree(pids: list[int]) -> list[int]:
    """Processes and all their descendants (uvicorn may fork workers)."""
    found, pending = [], list(pids)
    for _ in range(10_000):  # bounded walk
        if not pending:
            break
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
    return found


def rss_kb(pids: list[int]) -> int:
    """VmRSS summed over the server's processes."""
    total = 0
    for member in process_tree(pids):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cpu_seconds(pids: list[int], *, loop_thread_only: bool = False) -> float:
    """User + system CPU time the server's processes have used so far; with
    ``loop_thread_only``, their main threads' alone (each runs the process's event loop)."""
    ticks = 0
    for member in process_tree(pids):
        path = f"/proc/{member}/task/{member}/stat" if loop_thread_only else f"/proc/{member}/stat"
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(path).read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU time of this load generator, to show how much of the 2 cores it took."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def quiesce(pids: list[int], limit: float) -> None:
    """Wait until the server idles (< 10% of a core over half a second), ``limit`` at most.

    Work a setup step leaves queued on the server (routing, announcements) must neither
    inflate the memory figure nor leak into the latency of the messages that follow.
    """
    last = cpu_seconds(pids)
    for _ in range(max(1, int(limit / 0.5))):
        await asyncio.sleep(0.5)
        now = cpu_seconds(pids)
        if now - last < 0.05:
            return
        last = now


STARTED: list[Server] = []  # stopped again in main(), whatever happened


class Server:
    """A server subprocess under test, and how clients reach and pair on it."""

    name = ""
    acks = False  # does the server acknowledge visitor messages?
    greets = False  # does a socket get ``welcome`` after ``hello``?

    def __init__(self, workdir: Path, processes: int = 1) -> None:
        self.workdir = workdir
        self.ports = [free_port() for _ in range(processes)]
        self.port = self.ports[0]  # setup (HTTP, first sockets) goes to the first process
        self.http = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []

    def command(self, port: int) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def log_path(self, port: int) -> Path:
        return self.workdir / f"{self.name.replace(' ', '-')}-{port}.log"

    def spawn(self, port: int) -> subprocess.Popen[bytes]:
        args, env = self.command(port)
        with self.log_path(port).open("ab") as log:
            process = subprocess.Popen(
                args, env=env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    async def start(self) -> None:
        """One process after the other: each migrates and indexes before the next starts."""
        STARTED.append(self)
        for port in self.ports:
            await self._healthy(port, self.spawn(port))

    async def _healthy(self, port: int, process: subprocess.Popen[bytes]) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=1) as client:
            for _ in range(300):  # 30 s
                if process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited early; see {self.log_path(port)}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become healthy; see {self.log_path(port)}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def log_errors(self) -> int:
        total = 0
        for port in self.ports:
            if self.log_path(port).exists():
                text = self.log_path(port).read_text(errors="replace")
                total += sum(
                    1 for line in text.splitlines() if " ERROR " in line or "Traceback" in line
                )
        return total

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    async def before_sending(self) -> None:
        """Scale-out: note the database's counters once setup's have all been reported."""

    async def meter(self, start: bool) -> None:
        """Scale-out: start (or stop) measuring the CPU of every process involved."""

    async def after_stop(self, result: Result) -> None:
        """Scale-out: the database's counters once the servers are gone, into ``result``."""

    async def open_agents(self, count: int, tally: Tally, visitors: list[Visitor]) -> list[Agent]:
        raise NotImplementedError

    async def visitor_urls(self, count: int, agents: list[Agent]) -> list[tuple[str, str | None]]:
        """``(url, assignee)`` per visitor; the assignee is None until the server picks one."""
        raise NotImplementedError

    async def pair(self, visitors: list[Visitor], agents: list[Agent]) -> None:
        """Put every visitor in a conversation with an agent (nothing to do for the relay)."""


class Relay(Server):
    name = "bare relay"
    frames = 1

    def command(self, port: int) -> tuple[list[str], dict[str, str]]:
        command = [sys.executable, str(RELAY), "--port", str(port), "--frames", str(self.frames)]
        return command, dict(os.environ)

    async def open_agents(self, count: int, tally: Tally, visitors: list[Visitor]) -> list[Agent]:
        agents = [
            Agent(f"{self.ws}/ws/agent?pair=a{i}", tally, f"a{i}", visitors) for i in range(count)
        ]
        await in_batches(agents, lambda agent: agent.connect())
        return agents

    async def visitor_urls(self, count: int, agents: list[Agent]) -> list[tuple[str, str | None]]:
        keys = [agents[i % len(agents)].key for i in range(count)]
        return [(f"{self.ws}/ws/visitor?pair={key}", key) for key in keys]


class WireRelay(Relay):
    """The relay writing Parley's three frames per message: the protocol's wire work alone."""

    name = "relay, 3 frames"
    frames = 3


class Parley(Server):
    name = "parley"
    acks = True
    greets = True

    def __init__(
        self, workdir: Path, template: Path, processes: int = 1, env: dict[str, str] | None = None
    ) -> None:
        super().__init__(workdir, processes)
        self.data_dir = workdir / f"data-{self.port}"  # shared: one signing key for all
        self.env = env or {}
        shutil.copytree(template, self.data_dir)  # agents already exist: no CLI in the timing

    def command(self, port: int) -> tuple[list[str], dict[str, str]]:
        return [str(PARLEY), "serve", "--port", str(port)], parley_env(self.data_dir, self.env)

    def agent_ws(self, index: int) -> str:
        """The base WebSocket URL agent ``index`` connects to."""
        return self.ws

    async def open_agents(self, count: int, tally: Tally, visitors: list[Visitor]) -> list[Agent]:
        async with httpx.AsyncClient(base_url=self.http, timeout=STEP_TIMEOUT) as client:
            tokens = await in_batches(
                range(count), lambda i: login(client, agent_email(i)), batch=4
            )
        agents = [
            Agent(f"{self.agent_ws(i)}/ws/agent?token={token}", tally, agent_id, visitors)
            for i, (agent_id, token) in enumerate(tokens)
            if token
        ]
        await in_batches(agents, self._greet_agent)
        return [agent for agent in agents if agent.open]

    async def _greet_agent(self, agent: Agent) -> None:
        if not await agent.connect():
            return
        await agent.send('{"type":"hello"}')
        if await wait_event(agent.welcomed, agent.tally, "agent no welcome"):
            await agent.send('{"type":"presence","status":"online"}')

    async def visitor_urls(self, count: int, agents: list[Agent]) -> list[tuple[str, str | None]]:
        async with httpx.AsyncClient(base_url=self.http, timeout=STEP_TIMEOUT) as client:
            tokens = await in_batches(range(count), lambda _: new_visitor(client))
        return [(f"{self.ws}/ws/visitor?token={token}", None) for token in tokens if token]

    async def pair(self, visitors: list[Visitor], agents: list[Agent]) -> None:
        await in_batches(visitors, lambda visitor: self._hand_off(visitor, agents), PAIR_BATCH)

    async def _hand_off(self, visitor: Visitor, agents: list[Agent]) -> None:
        """``handoff``; the router may assign at once, else agent ``index % M`` accepts by hand."""
        tally = visitor.tally
        if not await visitor.send('{"type":"handoff"}'):
            return
        await wait_event(visitor.routed, tally, "visitor not routed")
        if visitor.assigned.is_set():
            return
        if visitor.conversation_id is None:
            tally.errors["visitor got no conversation_id"] += 1
            return
        agent = agents[visitor.index % len(agents)]
        accept = f'{{"type":"accept","conversation_id":"{visitor.conversation_id}"}}'
        if await agent.send_paced(accept):
            await wait_event(visitor.assigned, tally, "visitor not assigned")


@dataclass
class ScaleOptions:
    """Where the scale-out processes keep their data and talk to each other."""

    postgres: Postgres
    redis_url: str | None
    workers: int
    template_db: str = ""  # the agents, copied into a fresh database per measurement

    def env(self, database: str) -> dict[str, str]:
        env = {"PARLEY_DATABASE_URL": self.postgres.url(database)}
        return env | ({"PARLEY_REDIS_URL": self.redis_url} if self.redis_url else {})


@dataclass
class ScaleFigures:
    """PostgreSQL's counters and everyone's CPU for one scale-out measurement."""

    workers: int
    run: DbCounters  # the whole measurement, setup included (the database was new)
    messages: DbCounters  # from the first message sent until the servers stopped
    meter: CpuMeter
    load_generator_cpu: float


class ScaleOut(Parley):
    """N ``parley serve`` processes on one PostgreSQL (a database of their own) and Redis."""

    def __init__(self, workdir: Path, template: Path, scale: ScaleOptions, database: str) -> None:
        self.name = f"parley ×{scale.workers}, PostgreSQL" + (" + Redis" if scale.redis_url else "")
        super().__init__(workdir, template, scale.workers, scale.env(database))
        self.scale = scale
        self.database = database
        self.counted_from = DbCounters(0, 0, 0)
        self.cpu: CpuMeter | None = None
        self.own_cpu = 0.0

    def agent_ws(self, index: int) -> str:
        return f"ws://127.0.0.1:{self.ports[index % len(self.ports)]}"

    async def pair(self, visitors: list[Visitor], agents: list[Agent]) -> None:
        """Pair on the first process, then move each visitor to the process after its agent's."""
        await super().pair(visitors, agents)
        if len(self.ports) == 1:
            return
        homes = {agent.key: self.ports.index(urlsplit(agent.url).port or 0) for agent in agents}

        async def move(visitor: Visitor) -> None:
            if visitor.assignee in homes:
                port = self.ports[(homes[visitor.assignee] + 1) % len(self.ports)]
                if port != self.port:
                    await visitor.move(visitor.url.replace(self.ws, f"ws://127.0.0.1:{port}"))

        await in_batches(visitors, move)
        progress(self, f"visitors moved off their agents' processes ({len(self.ports)} processes)")

    async def before_sending(self) -> None:
        self.counted_from = await self.scale.postgres.reported(self.database)

    async def meter(self, start: bool) -> None:
        if start:
            self.cpu = CpuMeter(self.scale.postgres, self.database, self.scale.redis_url, self.pids)
            self.own_cpu = own_cpu()
            await self.cpu.start()
        elif self.cpu is not None:
            await self.cpu.stop()
            self.own_cpu = own_cpu() - self.own_cpu

    async def after_stop(self, result: Result) -> None:
        if self.cpu is None:
            return
        run = await self.scale.postgres.reported(self.database)
        messages = run - self.counted_from
        result.scale = ScaleFigures(self.scale.workers, run, messages, self.cpu, self.own_cpu)


# Every simulated visitor and agent connects from this one loopback address, so the ceilings
# meant for one real client (docs/security.md) are lifted for the load generator.
ONE_ADDRESS_IS_EVERYONE = {
    "PARLEY_VISITORS_PER_MINUTE": "1000000",
    "PARLEY_SOCKETS_PER_ADDRESS": "1000000",
}


def parley_env(data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    """This environment without any PARLEY_* leaking in, plus a data dir of our own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    return env | {"PARLEY_DATA_DIR": str(data_dir)} | ONE_ADDRESS_IS_EVERYONE | extra


def agent_email(index: int) -> str:
    return f"agent{index}@example.com"


async def create_agents(data_dir: Path, count: int, extra: dict[str, str]) -> None:
    """Agents exist only through the CLI; create them once and copy the data dir per run."""

    async def create(index: int) -> None:
        process = await asyncio.create_subprocess_exec(
            str(PARLEY),
            "agents",
            "create",
            "--email",
            agent_email(index),
            "--name",
            f"Agent {index}",
            "--password",
            PASSWORD,
            env=parley_env(data_dir, extra),
            cwd=data_dir.parent,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 120)
        if process.returncode != 0:
            raise RuntimeError(f"parley agents create failed: {stderr.decode()[-500:]}")

    await create(0)  # the first one migrates the fresh database alone
    await in_batches(range(1, count), create, batch=4)


async def login(client: httpx.AsyncClient, email: str) -> tuple[str, str | None]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    if response.status_code != 200:
        return "", None
    body = response.json()
    return body["agent"]["id"], body["token"]


async def new_visitor(client: httpx.AsyncClient) -> str | None:
    with contextlib.suppress(httpx.HTTPError):
        response = await client.post("/api/v1/visitors", json={})
        if response.status_code == 201:
            return str(response.json()["token"])
    return None


# --- helpers ------------------------------------------------------------------------------


async def in_batches(
    items: Iterable[T], step: Callable[[T], Awaitable[R]], batch: int = BATCH
) -> list[R]:
    """Run ``step`` over ``items`` at most ``batch`` at a time, in order."""
    pending, results = list(items), []
    for start in range(0, len(pending), batch):
        results.extend(await asyncio.gather(*(step(x) for x in pending[start : start + batch])))
    return results


async def wait_event(event: asyncio.Event, tally: Tally, failure: str) -> bool:
    try:
        await asyncio.wait_for(event.wait(), STEP_TIMEOUT)
    except TimeoutError:
        tally.errors[failure] += 1
        return False
    return True


async def drain(tally: Tally, done: Callable[[], bool], seconds: float) -> None:
    """Wait until ``done()``, re-checking whenever an ack, a delivery or a close comes in."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            for _ in range(10_000_000):  # one pass per event at most; the timeout ends it anyway
                if done():
                    return
                tally.progress.clear()
                await tally.progress.wait()


# --- one measurement ----------------------------------------------------------------------


@dataclass
class Options:
    duration: float
    visitors_per_agent: int
    settle: float
    quiesce: float
    drain: float
    poisson: bool
    seed: int
    wire_floor: bool = False  # also run the relay writing Parley's three frames per message


async def open_visitors(server: Server, visitors: list[Visitor], settle: float) -> None:
    """Batches of at most 100 sockets, each batch given a moment before the next."""

    async def open_one(visitor: Visitor) -> None:
        if await visitor.connect():
            await visitor.send('{"type":"hello"}')
            if server.greets:
                await wait_event(visitor.welcomed, visitor.tally, "visitor no welcome")

    for start in range(0, len(visitors), BATCH):
        await asyncio.gather(*(open_one(v) for v in visitors[start : start + BATCH]))
        await asyncio.sleep(min(0.5, settle))


async def talk(visitor: Visitor, start: float, options: Options, rng: random.Random) -> None:
    """One message a second (or Poisson gaps averaging a second) from a random phase."""
    loop = asyncio.get_running_loop()
    at, end = start + rng.random(), start + options.duration
    for _ in range(int(options.duration * 3) + 10):  # bounded even with short Poisson gaps
        if at >= end:
            return
        await asyncio.sleep(max(0.0, at - loop.time()))
        if not await visitor.send_timestamped():
            return
        at += rng.expovariate(1.0) if options.poisson else 1.0


def settled(visitors: Sequence[Visitor], server: Server) -> bool:
    """Every acknowledged message reached its agent (and, on Parley, every one was acked)."""
    delivered = visitors[0].tally.delivered if visitors else set()
    for visitor in visitors:
        expected = visitor.acked if server.acks else visitor.sent
        if server.acks and len(visitor.acked) < len(visitor.sent) and visitor.open:
            return False
        if not delivered.issuperset(expected):
            return False
    return True


def progress(server: Server, stage: str) -> None:
    """One line per stage on stderr, so a slow stage shows where the time went."""
    print(f"  {time.strftime('%H:%M:%S')} {server.name}: {stage}", file=sys.stderr)


async def settle(server: Server, options: Options, stage: str) -> None:
    """A fixed pause, then until the server idles; says how long that took."""
    started = time.monotonic()
    await asyncio.sleep(options.settle)
    await quiesce(server.pids, options.quiesce)
    progress(server, f"{stage}; server idle after {time.monotonic() - started:.1f} s")


async def measure(server: Server, n: int, options: Options) -> Result:
    """One server, N visitors: set up, measure memory, send, drain; always stop the server."""
    tally = Tally()
    result = Result(n=n, server=server.name, agents=agent_count(n, options), tally=tally)
    visitors: list[Visitor] = []
    agents: list[Agent] = []
    try:
        await server.start()
        agents.extend(await server.open_agents(result.agents, tally, visitors))
        if not agents:
            raise RuntimeError("no agent socket could be opened")
        urls = await server.visitor_urls(n, agents)
        visitors.extend(Visitor(url, tally, i, assignee) for i, (url, assignee) in enumerate(urls))
        await settle(server, options, f"{len(agents)} agents online")
        before = rss_kb(server.pids)
        await open_visitors(server, visitors, options.settle)
        await settle(server, options, f"{sum(v.open for v in visitors)} visitor sockets open")
        result.rss_kb_per_socket = (rss_kb(server.pids) - before) / max(1, len(visitors))
        await server.pair(visitors, agents)
        await settle(server, options, "paired")
        result.rss_kb_per_conversation = (rss_kb(server.pids) - before) / max(1, len(visitors))
        await server.before_sending()
        await send_and_drain(server, visitors, options, result)
    except Exception as exc:  # report it in the table; the other runs still go ahead
        result.failure = f"{type(exc).__name__}: {exc}"
    finally:
        await in_batches([*visitors, *agents], lambda client: client.close(), batch=1000)
        server.stop()
        result.server_log_errors = server.log_errors()
        progress(server, "stopped")
        with contextlib.suppress(Exception):  # a failed setup has no counters to report
            await server.after_stop(result)
    return result


async def send_and_drain(
    server: Server, visitors: list[Visitor], options: Options, result: Result
) -> None:
    """The measured part: every paired visitor talks, then stragglers get ``drain`` seconds."""
    tally = result.tally
    talkers = [v for v in visitors if v.open and v.assignee is not None]
    if len(talkers) < len(visitors):
        tally.errors["visitor left out (closed or unpaired)"] += len(visitors) - len(talkers)
    await server.meter(start=True)
    cpu_before, own_before, wall_before = cpu_seconds(server.pids), own_cpu(), time.monotonic()
    loop_before = cpu_seconds(server.pids, loop_thread_only=True)
    rng = random.Random(options.seed + len(visitors))
    start = asyncio.get_running_loop().time() + 0.5
    await asyncio.gather(*(talk(v, start, options, rng) for v in talkers))
    progress(server, f"sent {sum(len(v.sent) for v in talkers):,} messages")
    await drain(tally, lambda: settled(talkers, server), options.drain)
    cpu, wall = cpu_seconds(server.pids) - cpu_before, time.monotonic() - wall_before
    loop_cpu = cpu_seconds(server.pids, loop_thread_only=True) - loop_before
    await server.meter(start=False)
    progress(
        server,
        f"drained: {len(tally.delivered):,} delivered; over {wall:.0f} s the server used "
        f"{cpu / wall:.0%} of a core, this load generator {(own_cpu() - own_before) / wall:.0%}",
    )
    if tally.delivered:
        result.cpu_ms_per_message = cpu * 1000 / len(tally.delivered)
        result.loop_cpu_ms_per_message = loop_cpu * 1000 / len(tally.delivered)
    result.sent = sum(len(v.sent) for v in talkers)
    result.acked = sum(len(v.acked) for v in talkers) if server.acks else result.sent
    result.lost = sum(
        len((v.acked if server.acks else set(v.sent)) - tally.delivered) for v in talkers
    )


def agent_count(n: int, options: Options) -> int:
    return max(1, math.ceil(n / options.visitors_per_agent))


# --- the report ---------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "–" if math.isnan(value) else f"{value:,.{digits}f}"


def ratio(parley: float, relay: float) -> str:
    if math.isnan(parley) or math.isnan(relay) or relay <= 0:
        return "–"
    value = parley / relay
    return f"×{value:,.0f}" if value >= 100 else f"×{value:.{1 if value >= 10 else 2}f}"


def problems(result: Result) -> str:
    tally = result.tally
    parts = [f"{name}: {count}" for name, count in sorted((tally.closes + tally.errors).items())]
    if result.sent > result.acked:
        parts.append(f"unacked: {result.sent - result.acked}")
    if tally.foreign:
        parts.append(f"copies to non-assignee agents: {tally.foreign}")
    if tally.duplicates:
        parts.append(f"duplicates: {tally.duplicates}")
    if result.server_log_errors:
        parts.append(f"server log errors: {result.server_log_errors}")
    if result.failure:
        parts.append(f"FAILED {result.failure}")
    return "; ".join(parts) or "0"


def row(result: Result) -> str:
    cells = [
        f"{result.n:,}",
        result.server,
        str(result.agents),
        fmt(result.percentile(0.50), 2),
        fmt(result.percentile(0.99), 2),
        fmt(result.percentile(1.0), 1),
        fmt(result.delivered_per_second(), 0),
        f"{result.lost:,} of {result.acked:,}",
        fmt(result.rss_kb_per_socket, 1),
        fmt(result.rss_kb_per_conversation, 1),
        fmt(result.cpu_ms_per_message, 3),
        fmt(result.loop_cpu_ms_per_message, 3),
        problems(result),
    ]
    return "| " + " | ".join(cells) + " |"


def ratio_row(parley: Result, relay: Result) -> str:
    cells = [
        f"{parley.n:,}",
        f"**parley ÷ {relay.server}**",
        "",
        ratio(parley.percentile(0.50), relay.percentile(0.50)),
        ratio(parley.percentile(0.99), relay.percentile(0.99)),
        ratio(parley.percentile(1.0), relay.percentile(1.0)),
        ratio(parley.delivered_per_second(), relay.delivered_per_second()),
        "",
        ratio(parley.rss_kb_per_socket, relay.rss_kb_per_socket),
        ratio(parley.rss_kb_per_conversation, relay.rss_kb_per_conversation),
        ratio(parley.cpu_ms_per_message, relay.cpu_ms_per_message),
        ratio(parley.loop_cpu_ms_per_message, relay.loop_cpu_ms_per_message),
        "",
    ]
    return "| " + " | ".join(cells) + " |"


def per(count: float, messages: int, scale: float = 1.0) -> str:
    return fmt(count * scale / messages, 2) if messages else "–"


def share(seconds: float, wall: float) -> str:
    """CPU seconds over a wall-clock span, as a percentage of one core."""
    return f"{seconds / wall:.0%}" if wall > 0 else "–"


def scale_row(result: Result) -> str:
    figures = result.scale
    assert figures is not None
    meter, stored = figures.meter, result.acked
    cells = [
        f"{result.n:,}",
        str(figures.workers),
        f"{stored:,}",
        f"{figures.run.sessions:,} / {figures.messages.sessions:,}",
        per(figures.messages.sessions, stored, 1000),
        f"{figures.run.commits:,} / {figures.messages.commits:,}",
        per(figures.messages.commits, stored),
        f"{figures.run.rollbacks:,} / {figures.messages.rollbacks:,}",
        per(figures.messages.rollbacks, stored),
        fmt(result.cpu_ms_per_message, 3),
        " + ".join(share(cpu, meter.wall) for cpu in meter.worker_cpu),
        share(meter.postgres_cpu, meter.wall),
        share(meter.redis, meter.wall),
        share(figures.load_generator_cpu, meter.wall),
        f"{share(meter.machine, meter.wall)} of {os.cpu_count()} cores",
    ]
    return "| " + " | ".join(cells) + " |"


def scale_report(results: list[Result]) -> list[str]:
    """The scale-out table: what PostgreSQL was asked to do, and who used the CPU."""
    rows = [scale_row(result) for result in results if result.scale is not None]
    if not rows:
        return []
    return [
        "",
        "| N | Parley processes | messages stored | PostgreSQL sessions opened (run / messages) "
        "| per 1,000 messages | commits (run / messages) | per message "
        "| rollbacks (run / messages) | per message | Parley CPU ms / msg "
        "| CPU % of a core: each Parley process | PostgreSQL backends | Redis | load generator "
        "| machine busy |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
        *rows,
        "",
        "PostgreSQL counters are `pg_stat_database` (`sessions`, `xact_commit`, "
        "`xact_rollback`: reads end in a rollback) of a database "
        "made for the measurement: run = setup included; messages = from the first message "
        "sent until the servers stopped; per message = over messages stored (acknowledged). "
        "CPU is over the messages phase: PostgreSQL's is its backends of that database, "
        "sampled every 0.5 s (a backend that lived less than that is missed); machine busy "
        "counts every process on the machine, so what it shows beyond the other columns is "
        "someone else's.",
    ]


def versions() -> str:
    found = []
    for package in ("uvicorn", "starlette", "websockets", "sqlalchemy"):
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{package} (not installed)")
    return ", ".join([f"python {platform.python_version()}", *found])


def report(runs: list[list[Result]], options: Options) -> str:
    """``runs``: per size, the bare relay's result, Parley's, then the 3-frame relay's if run."""
    lines = [
        "| N | server | agents | p50 ms | p99 ms | max ms | delivered msg/s | lost "
        "| RSS KB / idle socket | RSS KB / assigned conversation | server CPU ms / msg "
        "| of it, event-loop thread | closes, errors |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for relay, parley, *wire in runs:
        lines += [row(relay), *map(row, wire), row(parley), ratio_row(parley, relay)]
        lines += [ratio_row(parley, floor) for floor in wire]
    gaps = "Poisson gaps" if options.poisson else "a fixed 1 s period"
    lines += [
        "",
        f"Load: each visitor sends 1 msg/s ({gaps}, random phase) for {options.duration:g} s; "
        f"one agent per {options.visitors_per_agent} visitors; latency = visitor frame written "
        "→ agent decoded it, same clock; lost = acknowledged (relay: sent) but not received "
        f"within {options.drain:g} s of the last send; unacked = sent but never acknowledged; "
        "RSS per idle socket = server RSS after the visitors' sockets open (before any "
        "conversation) minus before, per visitor; per assigned conversation = the same once "
        "every visitor's conversation is handed to an agent; "
        "server CPU = its processes' user + system time from the first send to the end of the "
        "drain, over messages delivered; of it, event-loop thread = the main thread of each "
        "server process, where the event loop runs (the rest: Parley's SQLite writer and "
        "connection threads).",
        f"commit {commit_measured()}; {versions()}.",
        f"The load generator (one process, one asyncio loop) shares the machine's "
        f"{os.cpu_count()} cores with the server under test.",
        *(
            [
                "The 3-frame relay also writes an ack and the message back to the sender, as "
                "Parley's protocol does: what is left between it and Parley is storage, "
                "checks and routing."
            ]
            if options.wire_floor
            else []
        ),
        *scale_report([parley for _, parley, *_ in runs]),
    ]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------


def raise_open_file_limit(needed: int) -> None:
    """Clients and the server (which inherits this) each hold one descriptor per socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        print(f"warning: open-file limit {target} is below the {needed} needed", file=sys.stderr)


async def run(sizes: list[int], options: Options, workdir: Path, scale: ScaleOptions | None) -> str:
    template = workdir / "agents-template" / "data"
    template.mkdir(parents=True)  # PostgreSQL keeps the agents; the data dir has the key
    most_agents = max(agent_count(n, options) for n in sizes)
    print(f"creating {most_agents} agents ...", file=sys.stderr)
    if scale is not None:
        scale.template_db = await scale.postgres.create()
    await create_agents(template, most_agents, scale.env(scale.template_db) if scale else {})
    runs = []
    for n in sizes:
        results = []
        parley = (
            Parley(workdir, template)
            if scale is None
            else ScaleOut(workdir, template, scale, await scale.postgres.create(scale.template_db))
        )
        servers: list[Server] = [Relay(workdir), parley]
        if options.wire_floor:
            servers.append(WireRelay(workdir))
        for server in servers:
            print(f"N={n}: {server.name} ...", file=sys.stderr)
            results.append(await measure(server, n, options))
        runs.append(results)
    return report(runs, options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,2000", help="visitor counts, comma-separated")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending per run")
    parser.add_argument("--visitors-per-agent", type=int, default=25)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to let sockets settle")
    parser.add_argument(
        "--quiesce", type=float, default=120.0, help="most seconds to wait for an idle server"
    )
    parser.add_argument("--drain", type=float, default=10.0, help="seconds to wait for stragglers")
    parser.add_argument("--poisson", action="store_true", help="Poisson gaps instead of 1 s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--wire-floor",
        action="store_true",
        help="also run the relay writing Parley's three frames per message (ack, echo, agent)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work dir (server logs)")
    parser.add_argument(
        "--database",
        help="scale-out mode: a PostgreSQL URL whose server gets a database of our own per run",
    )
    parser.add_argument("--redis", help="scale-out mode: a Redis URL shared by the processes")
    parser.add_argument("--workers", type=int, default=1, help="scale-out: Parley processes")
    args = parser.parse_args()
    if (args.redis or args.workers > 1) and not args.database:
        parser.error("--redis and --workers belong to scale-out mode: give --database too")
    if args.workers > 1 and not args.redis:
        parser.error("--workers above 1 needs --redis: processes share conversations through it")
    scale = (
        ScaleOptions(Postgres(args.database), args.redis, max(1, args.workers))
        if args.database
        else None
    )
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    options = Options(
        duration=args.duration,
        visitors_per_agent=args.visitors_per_agent,
        settle=args.settle,
        quiesce=args.quiesce,
        drain=args.drain,
        poisson=args.poisson,
        seed=args.seed,
        wire_floor=args.wire_floor,
    )
    raise_open_file_limit(max(sizes) * 2 + 200)
    workdir = Path(tempfile.mkdtemp(prefix="ws-load-"))
    try:
        print(asyncio.run(run(sizes, options, workdir, scale)))
    finally:
        for server in STARTED:
            server.stop()
        if scale is not None:
            asyncio.run(scale.postgres.drop_all())
        if args.keep:
            print(f"work dir kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
