"""One async engine over SQLite (WAL) or PostgreSQL, and the migrations that shape it.

Writers on SQLite take turns inside the process and open with ``BEGIN IMMEDIATE``, so a
transaction never fails half-way with "database is locked" when it upgrades from read to write.

``write_sync`` runs a plain function in one write transaction. On SQLite it runs on a writer
thread with its own connection, so however many statements the function executes, the event
loop hands over once and gets the result back once: a transaction held open across many
event-loop turns would hold every other writer up with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, NullPool, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from parley.db.group_commit import GroupCommit

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Transactions of batched writes one PostgreSQL process keeps in flight (never more than half
# its pool: reads need the rest). Four kept a core busy at 1,000 messages a second where one
# left a quarter of it idle waiting for round trips (docs/architecture.md, "Scale-out").
POSTGRES_WRITE_LANES = 4

# Any constant works: it only has to be the same in every Parley process.
_MIGRATION_LOCK_ID = 7_402_113

# Every SQLite connection's settings (``_configure_sqlite`` says why each).
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=FULL",
    "foreign_keys=ON",
    "busy_timeout=30000",
    "wal_autocheckpoint=0",
)

T = TypeVar("T")


class Database:
    """The engine plus the two ways code uses it: ``read()`` and ``transaction()``."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # A fixed pool on both databases. On PostgreSQL, connections opened beyond it under
        # a burst were closed again when it passed, so every burst paid the server's
        # connection start-up (a process fork) over again. On SQLite every connection is a
        # thread with a page cache of its own, and the twenty extra ones a burst of socket
        # openings made were most of the memory an idle socket cost. A burst now waits for a
        # free connection instead.
        # No pre-ping: it costs a round trip on every checkout, and a connection that died (a
        # database restart) is found by the statement that uses it: SQLAlchemy then discards
        # every connection older than the failure, and the group commit runs a failed batch
        # again, one write at a time, on fresh connections.
        options: dict[str, Any] = {"echo": echo, "pool_size": pool_size, "max_overflow": 0}
        if self.is_sqlite:
            if self.url.database:
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"timeout": 30}
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        self._writer_turn = asyncio.Lock() if self.is_sqlite else None
        self._sqlite_writer: _SQLiteWriter | None = None
        if self.is_sqlite:
            _configure_sqlite(self.engine.sync_engine)
            self._sqlite_writer = _SQLiteWriter(self.url)
        lanes = 1 if self.is_sqlite else max(1, min(POSTGRES_WRITE_LANES, pool_size // 2))
        self._group_commit = GroupCommit(self.write_sync, lanes=lanes)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        async with self._writer_turn or nullcontext(), self.engine.connect() as connection:
            if self.is_sqlite:
                connection = await connection.execution_options(sqlite_begin="IMMEDIATE")
            async with connection.begin():
                yield connection

    async def write_sync(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction: committed if it returns, rolled back if not."""
        if self._sqlite_writer is None:
            async with self.transaction() as connection:
                return await connection.run_sync(work)
        async with self._writer_turn or nullcontext():
            return await self._sqlite_writer.run(work)

    async def write_batched(self, work: Callable[[Connection], T], *, key: str) -> T:
        """Like ``write_sync``, but sharing a transaction with other writes that arrive meanwhile.

        ``key`` names the row ``work`` is about (a conversation's id): writes with one key run
        in the order they came. ``work`` may run twice (the shared transaction rolled back
        because a neighbour failed), so it must only touch the database.
        """
        return await self._group_commit.run(work, key=key)

    async def upgrade(self) -> None:
        """Apply every pending migration; safe when several processes start at once."""
        async with self.engine.connect() as connection:
            if not self.is_sqlite:
                await connection.execute(
                    text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
                )
            try:
                await connection.run_sync(_upgrade_to_head)
                await connection.commit()
            finally:
                if not self.is_sqlite:
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID}
                    )
                    await connection.commit()

    async def checkpoint(self) -> None:
        """Copy SQLite's write-ahead log into the database, without blocking any writer.

        A passive checkpoint copies what no reader still needs and stops there; the next one
        picks up the rest. PostgreSQL checkpoints on its own.
        """
        if self.is_sqlite:
            async with self.read() as connection:
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    async def ping(self) -> None:
        async with self.read() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
        if self._sqlite_writer is not None:
            await self._sqlite_writer.close()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


class _SQLiteWriter:
    """A thread of its own and a connection kept open on it: ``write_sync`` on SQLite.

    The thread takes one piece of work at a time from a queue and hands the outcome back to
    the event loop with one ``call_soon_threadsafe``: a general-purpose executor's futures and
    bookkeeping cost more than the small transactions it would run.
    """

    def __init__(self, url: URL) -> None:
        self._engine = create_engine(url.set(drivername="sqlite+pysqlite"), poolclass=NullPool)
        _configure_sqlite(self._engine, begin_on_driver=True)
        self._work: queue.SimpleQueue[_WriterItem | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    async def run(self, work: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name="parley-sqlite-writer", daemon=True
            )
            self._thread.start()
        self._work.put((work, loop, done))
        return await done

    async def close(self) -> None:
        if self._thread is None:
            self._engine.dispose()
            return
        self._work.put(None)
        await asyncio.to_thread(self._thread.join)
        self._thread = None

    def _serve(self) -> None:
        connection = self._engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        try:
            while (item := self._work.get()) is not None:
                work, loop, done = item
                result, error = None, None
                try:
                    with connection.begin():
                        result = work(connection)
                except BaseException as raised:  # the caller gets it; the thread goes on
                    error = raised
                with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits
                    loop.call_soon_threadsafe(_settle, done, result, error)
        finally:
            connection.close()
            self._engine.dispose()


_WriterItem = tuple[Callable[[Connection], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


def _settle(done: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    """Resolve a writer's future on the loop, unless its caller went away (cancelled)."""
    if done.done():
        return
    if error is None:
        done.set_result(result)
    else:
        done.set_exception(error)


def _configure_sqlite(engine: Engine, *, begin_on_driver: bool = False) -> None:
    """WAL for concurrent readers, FULL sync so an acknowledged message survives a crash.

    No automatic checkpoints: SQLite would run one inside whichever commit crosses the
    threshold, and every message queued behind that commit would wait for the copy and its
    fsync. ``Database.checkpoint`` does it from the housekeeping task instead.

    ``begin_on_driver``: the writer thread's engine, which nothing cancels, issues ``BEGIN`` on
    the driver's connection: through SQLAlchemy's statement machinery it cost the writer
    thread about 30 µs more per transaction, six times what SQLite's own ``BEGIN IMMEDIATE``
    costs.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if begin_on_driver:
            connection.connection.dbapi_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]
            return
        # Through SQLAlchemy, not the driver's cursor: a BEGIN interrupted by cancellation
        # (a server shutting down) must invalidate its connection, or the connection is
        # dropped unclosed.
        connection.exec_driver_sql(f"BEGIN {mode}")
