"""Two real ``parley serve`` processes on one PostgreSQL and one Redis behave as one server."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from parley.config import Settings
from parley.db import Database
from parley.identity.agents import create_agent
from tests.conftest import REDIS_URL
from tests.support.chat import agent_client, agent_token, new_visitor, visitor_client
from tests.support.live_server import LiveServer, parley_env, run_parley
from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database

PASSWORD = "correct horse battery"


@pytest.fixture
async def two_servers(
    tmp_path: Path,
) -> AsyncIterator[tuple[LiveServer, LiveServer, dict[str, str]]]:
    async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
        shared = {
            "database_url": url.replace("postgresql+asyncpg://", "postgresql://"),
            "redis_url": REDIS_URL,
            "secret_key": secrets.token_urlsafe(32),  # hosts share the key, not a data dir
        }
        envs = [parley_env(data_dir=str(tmp_path / f"host{n}"), **shared) for n in (1, 2)]
        first = LiveServer(envs[0], tmp_path).start()
        second = LiveServer(envs[1], tmp_path).start()
        try:
            yield first, second, envs[0]
        finally:
            first.stop()
            second.stop()


def _create_agent(env: dict[str, str], cwd: Path, name: str) -> str:
    email = f"{name.lower()}@example.com"
    created = run_parley(
        "agents",
        "create",
        "--email",
        email,
        "--name",
        name,
        "--password",
        PASSWORD,
        env=env,
        cwd=cwd,
    )
    assert created.returncode == 0, created.stderr
    return email


async def _create_agents(env: dict[str, str], count: int) -> list[str]:
    """Many at once, straight into the shared database (the CLI path is tested above)."""
    db = Database(Settings.from_env(env, env_file=None).resolved_database_url)
    try:
        return [
            (
                await create_agent(db, email=f"racer{n}@x.example", name=f"R{n}", password=PASSWORD)
            ).email
            for n in range(count)
        ]
    finally:
        await db.close()


async def test_visitor_on_one_process_and_agent_on_the_other_chat_and_resume(
    two_servers: tuple[LiveServer, LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    first, second, env = two_servers
    email = _create_agent(env, tmp_path, "Ann")
    agent, _ = await agent_client(second.url, await agent_token(second.url, email, PASSWORD))
    visitor_token = await new_visitor(first.url, name="Vera")
    visitor, welcome = await visitor_client(first.url, visitor_token)
    assert welcome["agents_online"] == 1  # presence crossed processes through Redis

    conversation_id = (await visitor.say("Where is my receipt?"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    assigned = await visitor.expect("assigned", conversation_id=conversation_id, within=10)
    assert assigned["agent"]["name"] == "Ann"
    history = await agent.expect("message", conversation_id=conversation_id, seq=1, within=10)
    assert history["text"] == "Where is my receipt?"

    reply = await agent.say("Settings → Billing → Receipts.", conversation_id=conversation_id)
    delivered = await visitor.expect("message", seq=reply["seq"], within=10)
    assert delivered["text"] == "Settings → Billing → Receipts."
    await visitor.close()

    later = await agent.say("Did that work?", conversation_id=conversation_id)
    resumed, _ = await visitor_client(second.url, visitor_token, last_seq=reply["seq"])
    missed = await resumed.expect("message", seq=later["seq"], within=10)
    assert missed["text"] == "Did that work?"
    await resumed.close()
    await agent.close()


async def test_twenty_agents_on_two_processes_race_and_exactly_one_wins(
    two_servers: tuple[LiveServer, LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    first, second, env = two_servers
    clients = []
    for n, email in enumerate(await _create_agents(env, 20)):
        server = (first, second)[n % 2]
        client, _ = await agent_client(server.url, await agent_token(server.url, email, PASSWORD))
        await client.send({"type": "presence", "status": "away"})
        clients.append(client)
    await asyncio.sleep(0.5)
    visitor, _ = await visitor_client(first.url, await new_visitor(first.url))
    conversation_id = (await visitor.say("who takes me?"))["conversation_id"]
    await asyncio.gather(
        *(c.send({"type": "accept", "conversation_id": conversation_id}) for c in clients)
    )
    replies = await asyncio.gather(*(c.collect(2.0) for c in clients))
    losers = sum(
        1
        for frames in replies
        if any(f["type"] == "error" and f["code"] == "already_assigned" for f in frames)
    )
    assert losers == 19
    assigned = [f for f in await visitor.collect(1.0) if f["type"] == "assigned"]
    assert len(assigned) == 1
    for client in clients:
        await client.close()
    await visitor.close()
