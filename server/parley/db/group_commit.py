"""Group commit: many small writes that arrive together share one transaction.

A chat server's writes are tiny (append one message) and bursty (a thousand visitors typing).
One transaction each costs one commit and, on SQLite, one turn of the single writer; under
load the writers queue behind each other. ``GroupCommit`` lets whatever piled up while the
previous transaction ran go in the next one, so the cost of a commit is shared by the batch
and nothing waits on a timer: a lone write still goes at once.

Every write names the row it is about (its *key*: a conversation's id). Writes run in
*lanes*, each with one transaction in flight; a key always takes the same lane, so the writes
of one conversation keep their order. SQLite has a single writer, so one lane; on PostgreSQL
several lanes keep several transactions in flight, and a batch's round trips no longer set
the ceiling of the whole process. Inside a batch the writes run in key order: every
transaction, in this process or another, takes its row locks in the same order, so two
batches can wait for each other but never deadlock.

A failing operation must not take its neighbours down with it: when a batch raises, it is
rolled back as a whole and every operation is run again in a transaction of its own, so only
the caller whose operation fails sees the error.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")
Operation = Callable[[Connection], Any]
Pending = list[tuple[str, Operation, "asyncio.Future[Any]"]]

MAX_BATCH = 64


class GroupCommit:
    """Runs operations (plain functions of a connection) in shared write transactions.

    ``write`` runs one function in one write transaction (``Database.write_sync``).
    """

    def __init__(
        self,
        write: Callable[[Operation], Awaitable[Any]],
        *,
        lanes: int = 1,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.write = write
        self.max_batch = max_batch
        self._lanes = [_Lane() for _ in range(lanes)]

    async def run(self, operation: Callable[[Connection], T], *, key: str) -> T:
        """The operation's result, once the transaction it ran in has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        lane = self._lanes[self.lane_of(key)]
        lane.pending.append((key, operation, future))
        if lane.drainer is None or lane.drainer.done():
            lane.drainer = asyncio.create_task(self._drain(lane))
        # A caller that goes away cancels its future, not its operation: that is queued.
        return await future

    def lane_of(self, key: str) -> int:
        """The lane a key's writes take: the same in every process and every run."""
        return zlib.crc32(key.encode()) % len(self._lanes)

    async def _drain(self, lane: _Lane) -> None:
        while lane.pending:
            batch = sorted(lane.pending[: self.max_batch], key=itemgetter(0))  # stable
            del lane.pending[: self.max_batch]
            try:
                results = await self.write(_all_of([op for _, op, _ in batch]))
            except Exception:
                await self._one_by_one(batch)
                continue
            for (_, _, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(self, batch: Pending) -> None:
        for _, operation, future in batch:
            try:
                result = await self.write(operation)
            except Exception as exc:  # the caller of this operation gets its own error
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)


class _Lane:
    """Writes waiting for one lane's next transaction, and the task running them."""

    def __init__(self) -> None:
        self.pending: Pending = []
        self.drainer: asyncio.Task[None] | None = None


def _all_of(operations: list[Operation]) -> Callable[[Connection], list[Any]]:
    def run_all(connection: Connection) -> list[Any]:
        return [operation(connection) for operation in operations]

    return run_all
