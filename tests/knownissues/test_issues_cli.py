"""``parley issues list``: each known issue's counts and the totals, from the same functions as
the console's ``/api/v1/console/issues/report``."""

from __future__ import annotations

from pathlib import Path

from parley.config import Settings
from parley.db import Database
from parley.identity import store as identity_store
from parley.knownissues import store
from tests.support.factories import new_conversation
from tests.support.live_server import parley_env, run_parley


async def test_issues_list_prints_the_counts_and_the_totals(
    settings: Settings, tmp_path: Path
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await db.upgrade()
        agent = await identity_store.insert_agent(
            db, email="ada@example.com", name="Ada", password_hash="x", role="admin"
        )
        issue = await store.create_issue(
            db, title="Export fails", tracker_url=None, agent_id=agent.id
        )
        await store.create_issue(db, title="Login loops", tracker_url=None, agent_id=agent.id)
        for _ in range(2):
            conversation = await new_conversation(db)
            await store.link(db, issue.id, conversation.id, agent.id)
    finally:
        await db.close()

    listed = run_parley(
        "issues", "list", env=parley_env(data_dir=str(settings.data_dir)), cwd=tmp_path
    )

    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["open", "0", "linked", "0", "notified", "0", "read", "0",
                                "replied", "Login", "loops"]  # fmt: skip
    assert lines[1].split()[:3] == ["open", "2", "linked"]
    assert lines[-1] == "2 open, 0 fixed; 2 linked, 0 notified, 0 read, 0 replied"
