"""Parley's sockets reach their handlers without Starlette's router on their stack, and
everything else still goes through it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import CoroutineType
from typing import Any

import httpx
import pytest
import websockets

from tests.support.chat import new_visitor, visitor_client


def awaiting_chain(task: asyncio.Task[Any]) -> Iterator[str]:
    """The qualified names of a task's coroutines, outermost first, down to the one waiting."""
    coroutine: Any = task.get_coro()
    while isinstance(coroutine, CoroutineType):
        yield coroutine.cr_code.co_qualname
        coroutine = coroutine.cr_await


async def test_an_open_socket_keeps_no_router_frames_and_other_paths_still_route(
    live_url: str,
) -> None:
    visitor, welcome = await visitor_client(live_url, await new_visitor(live_url))
    assert welcome["type"] == "welcome"
    chains = [list(awaiting_chain(task)) for task in asyncio.all_tasks()]
    (socket_chain,) = [chain for chain in chains if "visitor_socket" in chain]
    above_handler = socket_chain[: socket_chain.index("visitor_socket")]
    # What is left between the server and the handler: the middleware that acts on sockets.
    assert not [name for name in above_handler if "Router" in name or "wrapped_app" in name]
    assert not [name for name in above_handler if "ExceptionMiddleware" in name]
    await visitor.close()

    async with httpx.AsyncClient(base_url=live_url) as client:
        assert (await client.get("/healthz")).status_code == 200
    ws_url = live_url.replace("http", "ws", 1)
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{ws_url}/ws/nowhere"):
            pass
    assert refused.value.response.status_code == 403
