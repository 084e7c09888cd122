"""What a scale-out run of ``ws_load.py`` costs outside the load generator's view.

PostgreSQL: a database of our own per measurement (so ``pg_stat_database`` counts only Parley's
traffic), its commits and sessions, and the CPU of its backends. Redis: its own CPU counters
(``INFO cpu``). The machine: busy time from ``/proc/stat``, so the CPU nobody here accounts
for (other tenants, backends that came and went between samples) shows as the remainder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

HZ = os.sysconf("SC_CLK_TCK")
SAMPLE_EVERY = 0.5  # seconds between samples of the PostgreSQL backends' CPU


def process_cpu(pid: int) -> float:
    """User + system seconds one process has used (0 once it is gone)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    return 0.0


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent not idle, summed over its cores."""
    ticks = [int(part) for part in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / HZ


@dataclass(frozen=True)
class DbCounters:
    commits: int
    rollbacks: int  # a read ends in one; so does each pre-ping of a pooled connection
    sessions: int

    def __sub__(self, other: DbCounters) -> DbCounters:
        return DbCounters(
            self.commits - other.commits,
            self.rollbacks - other.rollbacks,
            self.sessions - other.sessions,
        )


class Postgres:
    """Temporary databases on the server ``admin_url`` points at, and their statistics."""

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url).set(drivername="postgresql")
        self.created: list[str] = []

    def _dsn(self, database: str | None = None) -> str:
        url = self.admin if database is None else self.admin.set(database=database)
        return url.render_as_string(hide_password=False)

    async def create(self, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given); returns its name."""
        name = f"ws_load_{secrets.token_hex(5)}"
        copy = f' TEMPLATE "{template}"' if template else ""
        await self._admin_execute(f'CREATE DATABASE "{name}"{copy}')
        self.created.append(name)
        return name

    def url(self, database: str) -> str:
        return self._dsn(database)

    async def drop_all(self) -> None:
        for name in self.created:
            await self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    async def _admin_execute(self, sql: str) -> None:
        connection = await asyncpg.connect(self._dsn())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def counters(self, database: str) -> DbCounters:
        connection = await asyncpg.connect(self._dsn())
        try:
            row = await connection.fetchrow(
                "SELECT xact_commit, xact_rollback, sessions FROM pg_stat_database "
                "WHERE datname = $1",
                database,
            )
        finally:
            await connection.close()
        return DbCounters(int(row["xact_commit"]), int(row["xact_rollback"]), int(row["sessions"]))

    async def reported(self, database: str) -> DbCounters:
        """Counters with everything done until now in them: a backend reports up to 10 s late.

        (Waiting for them to stand still would never end: each process's router and
        housekeeping touch the database every few seconds.)
        """
        await asyncio.sleep(11)
        return await self.counters(database)

    async def backend_pids(self, database: str) -> list[int]:
        connection = await asyncpg.connect(self._dsn())
        try:
            rows = await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
        finally:
            await connection.close()
        return [int(row["pid"]) for row in rows]


async def redis_cpu(url: str | None) -> float:
    if url is None:
        return 0.0
    client = Redis.from_url(url)
    try:
        info = await client.info("cpu")
    finally:
        await client.aclose()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


@dataclass
class CpuMeter:
    """CPU seconds of every party over one window: workers, PostgreSQL, Redis, the machine."""

    postgres: Postgres
    database: str
    redis_url: str | None
    workers: list[int]
    worker_cpu: list[float] = field(default_factory=list)
    backend_cpu: dict[int, tuple[float, float]] = field(default_factory=dict)  # first, last
    redis: float = 0.0
    machine: float = 0.0
    wall: float = 0.0
    _sampler: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.worker_cpu = [process_cpu(pid) for pid in self.workers]
        self.redis = await redis_cpu(self.redis_url)
        self.machine = machine_busy()
        self.wall = asyncio.get_running_loop().time()
        await self._sample(first=True)
        self._sampler = asyncio.create_task(self._keep_sampling())

    async def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        await self._sample(first=False)
        pairs = zip(self.workers, self.worker_cpu, strict=True)
        self.worker_cpu = [process_cpu(pid) - was for pid, was in pairs]
        self.redis = await redis_cpu(self.redis_url) - self.redis
        self.machine = machine_busy() - self.machine
        self.wall = asyncio.get_running_loop().time() - self.wall

    async def _keep_sampling(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY)
            await self._sample(first=False)

    async def _sample(self, *, first: bool) -> None:
        for pid in await self.postgres.backend_pids(self.database):
            now = process_cpu(pid)
            was = self.backend_cpu.get(pid)
            start = now if first else (was[0] if was else 0.0)  # born in the window: all of it
            self.backend_cpu[pid] = (start, max(now, was[1] if was else 0.0))

    @property
    def postgres_cpu(self) -> float:
        return sum(last - first for first, last in self.backend_cpu.values())
