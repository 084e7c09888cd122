"""Moving a database to one migration revision, as an upgrade from an older Parley would."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from parley import clock
from parley.db import Database
from parley.db.engine import alembic_config
from parley.db.schema import new_id
from parley.identity import store as identity_store


async def upgrade_to(db: Database, revision: str) -> None:
    async with db.engine.connect() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await connection.commit()


async def downgrade_to(db: Database, revision: str) -> None:
    async with db.engine.connect() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
        await connection.commit()


# Rows written the way an older Parley wrote them: only the columns every revision since 0002
# has, so a test can fill a database that is not at the newest migration.
_OLD_CONVERSATIONS = sa.table(
    "conversations",
    *(sa.column(name) for name in ("id", "visitor_id", "status", "locale", "last_seq")),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
_OLD_MESSAGES = sa.table(
    "messages",
    *(sa.column(name) for name in ("id", "conversation_id", "seq", "author_kind", "text")),
    sa.column("internal", sa.Boolean),
    sa.column("attachment_ids", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


async def old_conversation(db: Database, *, name: str | None = None) -> str:
    """A visitor's conversation as any revision stores it; its id."""
    visitor = await identity_store.insert_visitor(
        db, name=name, email=None, locale="en", page_url=None, referrer=None,
        user_agent=None, attributes={}, user_id=None, verified=False,
    )  # fmt: skip
    conversation_id, now = new_id("cnv"), clock.now()
    async with db.transaction() as conn:
        await conn.execute(
            _OLD_CONVERSATIONS.insert().values(
                id=conversation_id, visitor_id=visitor.id, status="bot", locale="en",
                last_seq=0, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    return conversation_id


async def old_message(db: Database, conversation_id: str, said: str) -> None:
    """A visitor's message, numbered the way every revision numbers them."""
    async with db.transaction() as conn:
        seq = await conn.scalar(
            sa.update(_OLD_CONVERSATIONS)
            .where(_OLD_CONVERSATIONS.c.id == conversation_id)
            .values(last_seq=_OLD_CONVERSATIONS.c.last_seq + 1)
            .returning(_OLD_CONVERSATIONS.c.last_seq)
        )
        await conn.execute(
            _OLD_MESSAGES.insert().values(
                id=new_id("msg"), conversation_id=conversation_id, seq=seq,
                author_kind="visitor", text=said, internal=False, attachment_ids=[],
                created_at=clock.now(),
            )
        )  # fmt: skip
