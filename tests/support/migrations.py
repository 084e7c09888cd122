"""Moving a database to one migration revision, as an upgrade from an older Parley would."""

from __future__ import annotations

from alembic import command

from parley.db import Database
from parley.db.engine import alembic_config


async def upgrade_to(db: Database, revision: str) -> None:
    async with db.engine.connect() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await connection.commit()


async def downgrade_to(db: Database, revision: str) -> None:
    async with db.engine.connect() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
        await connection.commit()
