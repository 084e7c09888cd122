"""What every Parley socket shares: origin check, flood limit, and one ordered outbox.

The outbox is the only writer to its socket. Bus payloads, acks and errors all queue there,
so frames never interleave; for conversation events it asks its ``SequenceTracker`` what to
send and, on a gap, re-reads the store before going on (a lost bus message is only a delay).
A client too slow to drain its outbox is disconnected with 1013 and resumes from its last
``seq``; it never slows anyone else down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from starlette.websockets import WebSocket, WebSocketDisconnect

from parley.bus import Bus, Subscription
from parley.conversation.events import unpack
from parley.conversation.protocol import ErrorOut, encode
from parley.conversation.sequence import Action, SequenceTracker
from parley.errors import ParleyError
from parley.serving import WRITE_TEXT_NOW

if TYPE_CHECKING:
    from parley.services import Services

logger = logging.getLogger(__name__)
FrameT = TypeVar("FrameT")
HelloT = TypeVar("HelloT")

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RATE_LIMITED = 4429
CLOSE_PROTOCOL = 1008
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN = 1013

Refill = Callable[[str, int], Awaitable[list[tuple[int, bytes]]]]


def origin_allowed(websocket: WebSocket, allowed: tuple[str, ...]) -> bool:
    """Browsers always send ``Origin``; other clients (SDKs, tools) have no page to protect."""
    origin = websocket.headers.get("origin")
    return origin is None or "*" in allowed or origin.rstrip("/") in allowed


class FloodGate:
    """A token bucket: ``rate`` frames a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._checked = time.monotonic()

    def admit(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._checked) * self.rate)
        self._checked = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


Item = tuple[str, bytes, str, int]  # (kind, frame or payload, conversation id, after seq)


class Outbox:
    """A socket's frames in order, written at once when nothing waits before them, otherwise
    by one task that exists only while frames wait.

    An idle socket (most of them, most of the time) holds no writer task and no reference to
    the last frame it sent: only an empty deque. Served by Parley's own protocol, a frame
    that can go out without waiting is written on the spot, without the ASGI send chain
    (``serving.PacedWebSocketProtocol.write_text_now``); one that cannot (the client reads
    slowly, a gap to refill from the store) queues, and everything after it queues behind.
    """

    def __init__(self, websocket: WebSocket, refill: Refill, *, capacity: int = 1000) -> None:
        self._websocket = websocket
        self._write_now: Callable[[bytes], bool] | None = websocket.scope.get("extensions", {}).get(
            WRITE_TEXT_NOW
        )
        self._refill = refill
        self._capacity = capacity
        self._pending: deque[Item] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._subscriptions: dict[str, Subscription] = {}
        self._sequence = SequenceTracker()
        self.overflowed = False
        self.failure: BaseException | None = None  # why the writer stopped, if it failed
        self._closed = False

    @property
    def delivered(self) -> Mapping[str, int]:
        """The last ``seq`` sent per followed conversation."""
        return self._sequence.delivered

    # --- feeding (from the frame handler or the bus; never blocks) -----------------------

    def send(self, frame: bytes) -> None:
        """Queue a frame for this socket only (welcome, ack, error)."""
        self._put(("frame", frame, "", 0))

    def push_bus(self, payload: bytes) -> None:
        self._put(("bus", payload, "", 0))

    def follow(self, conversation_id: str, seq: int) -> None:
        """Deliver this conversation's events after ``seq`` (the client already has the rest)."""
        self._sequence.follow(conversation_id, seq)

    def resume(self, conversation_id: str, after_seq: int) -> None:
        """Replay from the store everything after ``after_seq``, then continue live."""
        self._sequence.resume(conversation_id, after_seq)
        self._put(("catch_up", b"", conversation_id, after_seq))

    def listen(
        self, bus: Bus, channel: str, handler: Callable[[bytes], None] | None = None
    ) -> None:
        if channel not in self._subscriptions:
            self._subscriptions[channel] = bus.subscribe(channel, handler or self.push_bus)

    def forget(self, channel: str, conversation_id: str) -> None:
        """Stop following a conversation: no more of its events reach this socket."""
        subscription = self._subscriptions.pop(channel, None)
        if subscription is not None:
            subscription.close()
        self._sequence.forget(conversation_id)

    async def close(self) -> None:
        """Stop listening and stop the writer (the socket is going away)."""
        self._closed = True
        for subscription in self._subscriptions.values():
            subscription.close()
        self._subscriptions.clear()
        self._pending.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer

    def _put(self, item: Item) -> None:
        if self._closed or self.overflowed or self.failure is not None:
            return  # the socket is going away; the client resumes from its last seq
        if self._writer is None and not self._pending:  # nothing waits before it
            left = self._at_once(item)
            if left is None:
                return
            item = left
        if len(self._pending) >= self._capacity:
            self.overflowed = True
            self._pending.clear()
        else:
            self._pending.append(item)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    def _at_once(self, item: Item) -> Item | None:
        """Send ``item`` now if the socket takes it without waiting; what is left to queue."""
        if self._write_now is None:
            return item
        decided = self._decided(item)
        if decided is not None and decided[0] == "frame" and self._write_now(decided[1]):
            return None
        return decided

    def _decided(self, item: Item) -> Item | None:
        """A bus payload turned into what it asks of this socket: a frame to send, a gap to
        refill, or nothing (a duplicate); any other item as it is."""
        if item[0] != "bus":
            return item
        envelope = unpack(item[1])
        decision = self._sequence.live(envelope.conversation_id, envelope.seq)
        if decision.send:
            return ("frame", bytes(envelope.frame), "", 0)
        if decision.action is Action.REFILL and envelope.conversation_id is not None:
            return ("catch_up", b"", envelope.conversation_id, decision.refill_after)
        return None

    # --- draining (the one task that writes to the socket) -------------------------------

    async def _write(self) -> None:
        """Send queued frames in order until none is left, or close a client fallen behind."""
        try:
            while self._pending or self.overflowed:
                if self.overflowed:
                    await self._websocket.close(
                        CLOSE_TRY_AGAIN, "too far behind; reconnect and resume"
                    )
                    return
                item = self._decided(self._pending.popleft())
                if item is None:
                    continue
                kind, data, conversation_id, after_seq = item
                if kind == "frame":
                    await self._send(data)
                else:
                    await self._catch_up(conversation_id, after_seq)
        except WebSocketDisconnect:
            self._closed = True  # the client left (the frame loop hears so too): nothing more
        except Exception as error:  # the client resumes from the store once told
            self.failure = error
            await _close_failed(self._websocket, error)
        finally:
            if self._writer is asyncio.current_task():
                self._writer = None

    async def _catch_up(self, conversation_id: str, after_seq: int) -> None:
        for seq, frame in await self._refill(conversation_id, after_seq):
            if self._sequence.replayed(conversation_id, seq).send:
                await self._send(frame)

    async def _send(self, frame: bytes) -> None:
        if self._write_now is None or not self._write_now(frame):
            await self._websocket.send_text(frame.decode())


class FrameSession(Generic[FrameT, HelloT]):
    """What every socket does with a frame: welcome a client that skipped ``hello``, then act.

    Subclasses name their frame union, how to decode it, their ``hello`` and their actions; a
    Parley error raised by an action is sent back naming the frame's ``client_id``.
    """

    hello_type: type[HelloT]
    include_internal_notes: bool

    def __init__(self, found: Services, websocket: WebSocket) -> None:
        self.services = found
        self.websocket = websocket
        self.outbox = Outbox(websocket, self._refill)
        self.greeted = False

    def decode(self, text: str) -> FrameT:
        raise NotImplementedError

    async def hello(self, frame: HelloT) -> None:
        raise NotImplementedError

    async def dispatch(self, frame: FrameT) -> None:
        raise NotImplementedError

    async def handle(self, text: str) -> None:
        frame = self.decode(text)
        if not self.greeted and not isinstance(frame, self.hello_type):
            await self.hello(self.hello_type())
        try:
            await self.dispatch(frame)
        except ParleyError as exc:
            exc.ref = getattr(frame, "client_id", None)
            raise

    async def _refill(self, conversation_id: str, after_seq: int) -> list[tuple[int, bytes]]:
        return await self.services.conversations.replay(
            conversation_id, after_seq, include_internal=self.include_internal_notes
        )


def error_frame(exc: ParleyError, ref: str | None) -> bytes:
    return encode(ErrorOut(code=exc.code, message=exc.message, ref=ref))


async def _close_failed(websocket: WebSocket, failure: BaseException) -> None:
    """A socket whose writer failed is closed with 1011 at once and the reason logged, never
    left open and deaf: a client that only listens (an agent between replies) would hear
    nothing more and not know it."""
    logger.error("socket writer failed", exc_info=failure)
    with contextlib.suppress(Exception):
        await websocket.close(CLOSE_INTERNAL_ERROR, "server error; reconnect and resume")


async def serve_frames(
    websocket: WebSocket,
    outbox: Outbox,
    gate: FloodGate,
    handle: Callable[[str], Awaitable[None]],
) -> None:
    """Read frames until the client leaves; each goes to ``handle`` while the outbox drains.

    A binary frame is a protocol violation (1008); a flood closes with 4429. Errors raised
    by ``handle`` that are Parley's own become ``error`` frames and the socket stays open.
    """
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if not gate.admit():
                await websocket.close(CLOSE_RATE_LIMITED, "too many frames; slow down")
                return
            text = message.get("text")
            if text is None:
                await websocket.close(CLOSE_PROTOCOL, "frames are JSON text")
                return
            try:
                await handle(text)
            except ParleyError as exc:
                outbox.send(error_frame(exc, exc.ref))
            except Exception:
                logger.exception("frame handling failed")
                outbox.send(error_frame(ParleyError("something went wrong on our side"), None))
    except WebSocketDisconnect:
        return
    finally:
        await outbox.close()
