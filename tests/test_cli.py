"""The ``parley`` command as an operator uses it: real processes, both databases."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from parley.config import Settings
from parley.conversation.store import labels as label_store
from parley.db import Database
from parley.errors import Unauthorized
from parley.identity.agents import sign_in
from parley.identity.throttle import MemoryLoginThrottle
from tests.support.factories import new_conversation
from tests.support.live_server import PARLEY, LiveServer, parley_env, run_parley
from tests.support.postgres import POSTGRES_ADMIN_URL, temporary_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def operator_env(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """The environment an operator would set up: a data dir, and PostgreSQL when chosen."""
    if request.param == "sqlite":
        yield parley_env(data_dir=str(tmp_path / "data"))
        return
    async with temporary_postgres_database(POSTGRES_ADMIN_URL) as url:
        plain_url = url.replace("postgresql+asyncpg://", "postgresql://")
        yield parley_env(data_dir=str(tmp_path / "data"), database_url=plain_url)


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_parley("--help", env=parley_env(), cwd=tmp_path)
    for command in ("serve", "agents", "db", "kb", "reports", "version"):
        assert command in result.stdout


def test_agents_create_then_login_over_http(operator_env: dict[str, str], tmp_path: Path) -> None:
    created = run_parley(
        "agents",
        "create",
        "--email",
        "ann@example.com",
        "--name",
        "Ann",
        "--password",
        "correct horse",
        "--role",
        "admin",
        env=operator_env,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    listed = run_parley("agents", "list", env=operator_env, cwd=tmp_path)
    assert "ann@example.com" in listed.stdout
    assert "active" in listed.stdout

    server = LiveServer(operator_env, tmp_path).start()
    try:
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
        good = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": "ann@example.com", "password": "correct horse"},
        )
        assert good.status_code == 200
        assert good.json()["token"]
        bad = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": "ann@example.com", "password": "wrong"},
        )
        assert bad.status_code == 401
    finally:
        server.stop()

    refused = run_parley("agents", "disable", "ann@example.com", env=operator_env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "at least one enabled admin" in refused.stderr
    bo = ("--email", "bo@example.com", "--name", "Bo", "--password", "correct horse")
    made = run_parley("agents", "create", *bo, "--role", "admin", env=operator_env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    disabled = run_parley("agents", "disable", "ann@example.com", env=operator_env, cwd=tmp_path)
    assert disabled.returncode == 0, disabled.stderr
    assert "disabled" in run_parley("agents", "list", env=operator_env, cwd=tmp_path).stdout


def test_duplicate_agent_is_one_clear_line(tmp_path: Path) -> None:
    env = parley_env(data_dir=str(tmp_path / "data"))
    args = ("agents", "create", "--email", "a@example.com", "--name", "A", "--password", "12345678")
    assert run_parley(*args, env=env, cwd=tmp_path).returncode == 0
    again = run_parley(*args, env=env, cwd=tmp_path)
    assert again.returncode != 0
    assert again.stderr.strip() == "Error: an agent with email a@example.com already exists"


@pytest.mark.parametrize(
    ("setting", "value"), [("PARLEY_PORT", "http"), ("PARLEY_DATABSE_URL", "sqlite:///x")]
)
def test_serve_refuses_bad_configuration_with_one_line(
    tmp_path: Path, setting: str, value: str
) -> None:
    env = parley_env(data_dir=str(tmp_path / "data")) | {setting: value}
    result = run_parley("serve", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert setting in result.stderr


def test_several_workers_need_redis(tmp_path: Path) -> None:
    result = run_parley("serve", "--workers", "2", env=parley_env(), cwd=tmp_path)
    assert result.returncode != 0
    assert "PARLEY_REDIS_URL" in result.stderr


async def test_agents_password_reads_stdin_and_only_the_new_one_signs_in(
    operator_env: dict[str, str], tmp_path: Path
) -> None:
    ann = ("--email", "ann@example.com", "--name", "Ann", "--password", "old password")
    assert run_parley("agents", "create", *ann, env=operator_env, cwd=tmp_path).returncode == 0

    def set_password(email: str, typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PARLEY), "agents", "password", email],
            input=typed,
            env=operator_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    short = set_password("ann@example.com", "short\n")
    assert short.returncode == 1
    assert short.stderr == "Error: password must be at least 8 characters\n"
    unknown = set_password("bo@example.com", "a new password\n")
    assert unknown.returncode == 1
    assert unknown.stderr == "Error: no agent with email bo@example.com\n"
    changed = set_password("ANN@example.com", "a new password\n")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout == "new password set for ann@example.com; their sessions have ended\n"

    db = Database(Settings.from_env(operator_env, env_file=None).resolved_database_url)
    throttle = MemoryLoginThrottle(max_failures=10)
    try:
        ann_now = await sign_in(
            db, throttle, email="ann@example.com", password="a new password", client_address="a"
        )
        assert ann_now.token_version == 2  # the tokens issued before are revoked
        with pytest.raises(Unauthorized):
            await sign_in(
                db, throttle, email="ann@example.com", password="old password", client_address="a"
            )
    finally:
        await db.close()


async def test_conversations_show_prints_the_episodes_and_the_event_log(
    settings: Settings, tmp_path: Path
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await db.upgrade()
        conversation = await new_conversation(db, name="Vera")
        await label_store.add_label(db, conversation.id, "billing")
    finally:
        await db.close()
    env = parley_env(data_dir=str(settings.data_dir))

    shown = run_parley("conversations", "show", conversation.id, env=env, cwd=tmp_path)

    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("episode 1: opened ")
    assert "unrated" in lines[0]
    assert [line.split()[3] for line in lines[1:]] == ["created", "label_added"]
    assert "label=billing" in lines[2]
    missing = run_parley("conversations", "show", "cnv_nope", env=env, cwd=tmp_path)
    assert (missing.returncode, missing.stderr.strip()) == (1, "Error: no conversation cnv_nope")
