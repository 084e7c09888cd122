"""With ``PARLEY_REDIS_URL`` set and Redis gone, the shared limits count in each process and the
chat keeps working: a Redis of the test's own, on a spare port, killed while Parley runs (the
machine's Redis is never touched)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import time

import httpx
import pytest
from redis import Redis

from parley.bus.redis import CONNECT_TIMEOUT_SECONDS, RedisBus
from parley.config import Settings
from parley.ratelimit import RedisRateWindow
from parley.redisfallback import RETRY_SECONDS
from tests.conftest import serving
from tests.support.chat import new_visitor, visitor_client
from tests.support.live_server import free_port


def start_redis(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        with contextlib.suppress(Exception), Redis(port=port) as probe:
            if probe.ping():
                return process
        assert time.monotonic() < deadline, "the spare Redis did not start"
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()


async def test_limits_fall_back_to_this_process_while_redis_is_away(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    redis_server = start_redis(port)
    try:
        limited = settings.with_overrides(
            redis_url=f"redis://127.0.0.1:{port}/0", visitors_per_minute=3
        )
        async with serving(limited) as live:
            held_in_redis, _ = await visitor_client(live.url, await new_visitor(live.url))
            stop(redis_server)
            with caplog.at_level(logging.WARNING, logger="parley.redisfallback"):
                await held_in_redis.close()  # its lease cannot be released: it runs out
                async with httpx.AsyncClient(base_url=live.url) as http:
                    created = [(await http.post("/api/v1/visitors", json={})) for _ in range(4)]
                    # The one created before the outage was counted in Redis, not here.
                    assert [r.status_code for r in created] == [201, 201, 201, 429]
                    login = await http.post(
                        "/api/v1/auth/login",
                        json={"email": "nobody@example.com", "password": "wrong password"},
                        headers={"Origin": live.url},
                    )
                    assert login.status_code == 401
                visitor, _ = await visitor_client(live.url, created[0].json()["token"])
                ack = await visitor.say("is anyone there?")
                assert ack["seq"] == 1
                await visitor.expect("message", seq=1)  # live, through this process's bus
                await visitor.close()
                redis_server = start_redis(port)
                await asyncio.sleep(RETRY_SECONDS)
                async with httpx.AsyncClient(base_url=live.url) as http:
                    again = await http.post("/api/v1/visitors", json={})
                    assert again.status_code == 201  # counted in Redis again (here: full)
    finally:
        stop(redis_server)
    warnings = [r.getMessage() for r in caplog.records if r.name == "parley.redisfallback"]
    for limit in ("visitors window", "held per client address", "failed sign-ins", "live events"):
        assert any(limit in line and "unreachable" in line for line in warnings), limit
    assert any("visitors window" in line and "answers again" in line for line in warnings)


async def test_a_redis_host_that_never_answers_costs_a_request_seconds_not_minutes() -> None:
    """A listener whose backlog is full drops new connections' SYNs, as a host that went down
    without refusing does: the window falls back after the connect timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(0)
        port = silent.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:  # without waiting: once the backlog is full, they hang too
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        bus = RedisBus(f"redis://127.0.0.1:{port}/0")
        try:
            window = RedisRateWindow(bus.redis, "visitors", 1, 60.0)
            started = time.monotonic()
            await asyncio.wait_for(window.hit("198.51.100.7", "visitors"), 30)
            assert time.monotonic() - started < CONNECT_TIMEOUT_SECONDS + 1.5
        finally:
            await bus.redis.aclose()
            for filler in fillers:
                filler.close()
