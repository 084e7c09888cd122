"""The many-process bus: Redis pub/sub, one connection per process for all its channels.

What a process publishes reaches its own subscribers at once, from the publishing call, and
other processes through Redis. Each event goes to Redis tagged with the publishing process
(``ORIGIN_BYTES`` in front of the payload), and a process's reader skips its own events when
Redis sends them back: a visitor and an agent on one process no longer wait for a round trip
to Redis, nor pay redis-py's reading of every event they publish (two per message).

Publishes are sent in pipelines: what the process publishes while a pipeline is in flight
(a batch of appends committed together publishes two events per message) goes in the next one,
in order, so a message costs Redis a command in a shared round trip rather than a round trip
and redis-py's per-command machinery (a pool checkout, a retry wrapper, a reply read) of its own.
A publisher still returns only once Redis has its event.

A channel is subscribed in Redis while at least one local handler wants it. If the
connection drops, the reader reconnects and re-subscribes; events published meanwhile are
missed here, and subscribers recover them from the store by ``seq``. While Redis is
unreachable, what this process publishes still reaches its own subscribers, so a visitor and
an agent on one process go on chatting live; other processes catch up from the store once
Redis answers.

A process reads untagged events too (from a release before the tag), but such a release
cannot read tagged ones: docs/deployment.md says how to upgrade across it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError

from parley.bus import Handler, Subscription
from parley.bus.local import LocalRegistry
from parley.redisfallback import LocalFallback, nothing_here

logger = logging.getLogger(__name__)
PREFIX = "parley:"
# Commands in flight at once per process (presence, the shared limits, publishing). Past it a
# command waits for a free connection: a burst of sockets opening, each claiming its lease,
# made redis-py's default pool raise "Too many connections" at 100 and refused the sockets.
MAX_CONNECTIONS = 100
CONNECTION_WAIT_SECONDS = 10.0
# A Redis host that is down without refusing (no RST) must not hold a request for the kernel's
# connect timeout of minutes: the shared limits fall back to memory after this instead.
CONNECT_TIMEOUT_SECONDS = 2.0
# The publishing process's tag in front of every event sent to Redis: a NUL (which no payload
# starts with: they are JSON or words) and 15 characters of its own.
ORIGIN_BYTES = 16
# One publish waiting to be sent: (channel, payload, set once Redis has it).
Outgoing = tuple[str, bytes, "asyncio.Future[None]"]


class RedisBus:
    def __init__(self, url: str) -> None:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=CONNECTION_WAIT_SECONDS,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        self._redis: Redis = Redis.from_pool(pool)
        self._pubsub: PubSub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._registry = LocalRegistry(on_first=self._subscribe, on_last=self._unsubscribe)
        self._pending: set[asyncio.Task[None]] = set()
        self._reader: asyncio.Task[None] | None = None
        self._fallback = LocalFallback("live events (this process's subscribers only)")
        self._outgoing: list[Outgoing] = []
        self._sender: asyncio.Task[None] | None = None
        self._origin = b"\0" + secrets.token_hex(ORIGIN_BYTES).encode()[: ORIGIN_BYTES - 1]

    @property
    def redis(self) -> Redis:
        """The shared client, for presence keys that live beside the bus."""
        return self._redis

    async def start(self) -> None:
        await self._redis.ping()
        await self._pubsub.subscribe(PREFIX + "_")  # a pubsub must hold a channel to be read
        self._reader = asyncio.create_task(self._read_forever())

    async def close(self) -> None:
        if self._sender:  # what was published before the close still goes out
            await self._sender
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        # redis-py annotated PubSub.aclose only in 8.x; calling it through a typed name
        # type-checks on both sides of that change without a per-version ignore.
        close_pubsub: Callable[[], Awaitable[None]] = self._pubsub.aclose
        await close_pubsub()
        await self._redis.aclose()

    async def publish(self, channel: str, payload: bytes) -> None:
        self._registry.deliver(channel, payload)
        sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outgoing.append((channel, payload, sent))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_outgoing())
        await sent

    async def _send_outgoing(self) -> None:
        """Pipelines of what was published, one after the other, until none waits."""
        batch: list[Outgoing] = []
        try:
            while self._outgoing:
                batch, self._outgoing = self._outgoing, []
                try:
                    await self._fallback.run(partial(self._publish_shared, batch), nothing_here)
                except Exception as error:  # a publisher hears what went wrong, as before
                    for _, _, sent in batch:
                        if not sent.done():
                            sent.set_exception(error)
                else:
                    for _, _, sent in batch:
                        if not sent.done():
                            sent.set_result(None)
        finally:  # cancelled (the loop is ending): no publisher is left waiting
            for _, _, sent in batch + self._outgoing:
                sent.cancel()
            self._outgoing, self._sender = [], None

    async def _publish_shared(self, batch: list[Outgoing]) -> None:
        pipeline = self._redis.pipeline(transaction=False)
        for channel, payload, _ in batch:
            pipeline.publish(PREFIX + channel, self._origin + payload)
        await pipeline.execute()

    def subscribe(self, channel: str, handler: Handler) -> Subscription:
        return self._registry.add(channel, handler)

    def _subscribe(self, channel: str) -> None:
        self._spawn(self._pubsub.subscribe(PREFIX + channel))

    def _unsubscribe(self, channel: str) -> None:
        self._spawn(self._pubsub.unsubscribe(PREFIX + channel))

    def _spawn(self, work: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await work
            except RedisConnectionError:
                logger.warning("redis unavailable; channel change will apply on reconnect")

        task = asyncio.create_task(run())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _read_forever(self) -> None:
        while True:
            try:
                async for message in self._pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    data: bytes = message["data"]
                    if data.startswith(self._origin):
                        continue  # this process's own events were delivered when published
                    if data.startswith(b"\0"):  # another process's tag (a release before the
                        data = data[ORIGIN_BYTES:]  # tag sends none, and is delivered as is)
                    channel = message["channel"].decode()[len(PREFIX) :]
                    self._registry.deliver(channel, data)
            except RedisConnectionError:
                logger.warning("redis connection lost; reconnecting")
                await asyncio.sleep(0.5)
                with contextlib.suppress(RedisConnectionError):
                    channels = [PREFIX + c for c in self._registry.channels()]
                    await self._pubsub.subscribe(PREFIX + "_", *channels)
