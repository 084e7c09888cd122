"""The transactional claim: a conversation goes to exactly one agent, whatever the race.

The guard is in the ``UPDATE``'s ``WHERE`` clause, so the database decides: of twenty
processes claiming the same conversation at once, one sees a changed row and the rest see
none. No in-memory lock is involved, so it holds across processes and hosts.
"""

from __future__ import annotations

from sqlalchemy import and_, update

from parley import clock
from parley.db import Database
from parley.db.schema import agents, conversations


async def claim(
    db: Database, conversation_id: str, agent_id: str, *, from_statuses: tuple[str, ...]
) -> bool:
    """Assign ``conversation_id`` to ``agent_id`` if it is still in one of ``from_statuses``."""
    now = clock.now()
    async with db.transaction() as conn:
        result = await conn.execute(
            update(conversations)
            .where(
                and_(
                    conversations.c.id == conversation_id,
                    conversations.c.status.in_(from_statuses),
                )
            )
            .values(status="assigned", assignee_id=agent_id, assigned_at=now, updated_at=now)
        )
        if result.rowcount != 1:
            return False
        await conn.execute(
            update(agents).where(agents.c.id == agent_id).values(last_assigned_at=now)
        )
    return True


async def release_assigned_to(db: Database, agent_id: str) -> list[str]:
    """Put every conversation assigned to ``agent_id`` back in the queue; returns their ids."""
    now = clock.now()
    async with db.transaction() as conn:
        released = (
            await conn.execute(
                update(conversations)
                .where(
                    and_(
                        conversations.c.assignee_id == agent_id,
                        conversations.c.status == "assigned",
                    )
                )
                .values(status="queued", assignee_id=None, queued_at=now, updated_at=now)
                .returning(conversations.c.id)
            )
        ).scalars()
        return list(released)
