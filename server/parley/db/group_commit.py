"""Group commit: many small writes that arrive together share one transaction.

A chat server's writes are tiny (append one message) and bursty (a thousand visitors typing).
One transaction each costs one commit and, on SQLite, one turn of the single writer; under
load the writers queue behind each other. ``GroupCommit`` lets whatever piled up while the
previous transaction ran go in the next one, so the cost of a commit is shared by the batch
and nothing waits on a timer: a lone write still goes at once.

A failing operation must not take its neighbours down with it: when a batch raises, it is
rolled back as a whole and every operation is run again in a transaction of its own, so only
the caller whose operation fails sees the error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")
Operation = Callable[[Connection], Any]
Pending = list[tuple[Operation, "asyncio.Future[Any]"]]

MAX_BATCH = 64


class GroupCommit:
    """Runs operations (plain functions of a connection) in shared write transactions.

    ``write`` runs one function in one write transaction (``Database.write_sync``).
    """

    def __init__(
        self, write: Callable[[Operation], Awaitable[Any]], *, max_batch: int = MAX_BATCH
    ) -> None:
        self.write = write
        self.max_batch = max_batch
        self._pending: Pending = []
        self._drainer: asyncio.Task[None] | None = None

    async def run(self, operation: Callable[[Connection], T]) -> T:
        """The operation's result, once the transaction it ran in has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((operation, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        # A caller that goes away cancels its future, not its operation: that is queued.
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            try:
                results = await self.write(_all_of([op for op, _ in batch]))
            except Exception:
                await self._one_by_one(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(self, batch: Pending) -> None:
        for operation, future in batch:
            try:
                result = await self.write(operation)
            except Exception as exc:  # the caller of this operation gets its own error
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)


def _all_of(operations: list[Operation]) -> Callable[[Connection], list[Any]]:
    def run_all(connection: Connection) -> list[Any]:
        return [operation(connection) for operation in operations]

    return run_all
