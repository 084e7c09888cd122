"""The outbox's own rules: one writer in order, none while idle, 1013 for a client left behind,
and frames written at once, without a task, while nothing waits before them.

The socket here records what it is given (the outbox needs only ``send_text``, ``close`` and,
when served by Parley's own protocol, the scope's ``WRITE_TEXT_NOW``); the same outbox behind
real sockets is exercised by every test in tests/sockets.
"""

from __future__ import annotations

import asyncio
import gc

from starlette.websockets import WebSocketDisconnect

from parley.conversation.events import pack
from parley.serving import WRITE_TEXT_NOW
from parley.sockets.connection import CLOSE_INTERNAL_ERROR, CLOSE_TRY_AGAIN, Outbox


class RecordingSocket:
    """``send_text`` is the ASGI way; with ``direct``, ``write_text_now`` is in the scope too
    and takes frames while ``writable`` (a transport whose buffer is not full)."""

    def __init__(
        self, *, fail_on: str | None = None, slow: bool = False, direct: bool = False
    ) -> None:
        self.sent: list[str] = []
        self.sent_directly: list[str] = []
        self.closed_with: tuple[int, str] | None = None
        self.fail_on = fail_on
        self.slow = slow
        self.writable = True
        self.scope: dict[str, object] = {"type": "websocket", "extensions": {}}
        if direct:
            self.scope["extensions"] = {WRITE_TEXT_NOW: self.write_text_now}

    def write_text_now(self, text: bytes) -> bool:
        if not self.writable:
            return False
        self.sent.append(text.decode())
        self.sent_directly.append(text.decode())
        return True

    async def send_text(self, text: str) -> None:
        if self.slow:
            await asyncio.sleep(0.01)
        if text == self.fail_on:
            raise ConnectionResetError("peer went away")
        self.sent.append(text)

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)


async def _no_refill(conversation_id: str, after_seq: int) -> list[tuple[int, bytes]]:
    return []


def _outbox(socket: RecordingSocket, capacity: int = 1000) -> Outbox:
    return Outbox(socket, _no_refill, capacity=capacity)  # type: ignore[arg-type]


def _writers() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == "Outbox._write"
    ]


async def test_frames_go_out_in_order_and_no_writer_stays_behind_when_idle() -> None:
    socket = RecordingSocket()
    outbox = _outbox(socket)
    outbox.follow("cnv_1", 0)
    outbox.send(b'{"type":"welcome"}')
    for seq in (1, 2, 3):
        outbox.push_bus(pack(b'{"seq":%d}' % seq, conversation_id="cnv_1", seq=seq))
    outbox.send(b'{"type":"ack"}')
    await asyncio.sleep(0.01)

    assert socket.sent == [
        '{"type":"welcome"}',
        '{"seq":1}',
        '{"seq":2}',
        '{"seq":3}',
        '{"type":"ack"}',
    ]
    assert _writers() == []  # an idle socket holds no task
    assert outbox.delivered == {"cnv_1": 3}

    outbox.send(b'{"type":"later"}')  # a new frame starts a writer again
    await asyncio.sleep(0.01)
    assert socket.sent[-1] == '{"type":"later"}'
    await outbox.close()


async def test_an_idle_outbox_keeps_no_reference_to_the_last_frame() -> None:
    socket = RecordingSocket()
    outbox = _outbox(socket)
    outbox.send(bytes(b"x" * 50_000))
    await asyncio.sleep(0.01)
    gc.collect()
    big = [o for o in gc.get_objects() if isinstance(o, bytes) and len(o) == 50_000]
    assert big == []
    await outbox.close()


async def test_a_client_too_far_behind_is_closed_with_1013_and_nothing_more_is_written() -> None:
    socket = RecordingSocket(slow=True)
    outbox = _outbox(socket, capacity=5)
    for n in range(20):
        outbox.send(b'{"n":%d}' % n)
    await asyncio.sleep(0.2)

    assert outbox.overflowed
    assert socket.closed_with is not None
    assert socket.closed_with[0] == CLOSE_TRY_AGAIN
    assert len(socket.sent) <= 5
    outbox.send(b'{"n":"after"}')
    await asyncio.sleep(0.05)
    assert '{"n":"after"}' not in socket.sent
    await outbox.close()


async def test_a_failed_write_stops_the_writer_and_closes_the_socket_with_1011() -> None:
    socket = RecordingSocket(fail_on='{"n":1}')
    outbox = _outbox(socket)
    for n in range(3):
        outbox.send(b'{"n":%d}' % n)
    await asyncio.sleep(0.01)

    assert isinstance(outbox.failure, ConnectionResetError)
    assert socket.sent == ['{"n":0}']  # nothing after the failure
    assert socket.closed_with is not None
    assert socket.closed_with[0] == CLOSE_INTERNAL_ERROR  # at once, not at the client's next frame
    assert _writers() == []
    await outbox.close()


async def test_a_refill_that_fails_closes_the_socket_at_once_so_the_client_resumes() -> None:
    """An agent's socket only listens between replies: left open after its catch-up failed
    (the store unreachable), it would hear nothing more and never know."""

    async def store_down(conversation_id: str, after_seq: int) -> list[tuple[int, bytes]]:
        raise ConnectionRefusedError("the database is unreachable")

    socket = RecordingSocket(direct=True)
    outbox = Outbox(socket, store_down)  # type: ignore[arg-type]
    outbox.follow("cnv_1", 0)
    outbox.push_bus(pack(b'{"seq":2}', conversation_id="cnv_1", seq=2))  # a gap: refill
    await asyncio.sleep(0.01)

    assert socket.closed_with is not None
    assert socket.closed_with[0] == CLOSE_INTERNAL_ERROR
    outbox.push_bus(pack(b'{"seq":3}', conversation_id="cnv_1", seq=3))
    assert socket.sent == []
    await outbox.close()


async def test_a_client_gone_mid_write_is_neither_an_error_nor_written_to_again() -> None:
    class GoneSocket(RecordingSocket):
        attempts = 0

        async def send_text(self, text: str) -> None:
            self.attempts += 1
            raise WebSocketDisconnect(1006)

    socket = GoneSocket()
    outbox = _outbox(socket)
    outbox.send(b'{"n":0}')
    await asyncio.sleep(0.01)
    outbox.send(b'{"n":1}')
    await asyncio.sleep(0.01)

    assert socket.attempts == 1
    assert outbox.failure is None
    assert socket.closed_with is None  # nothing to close: the frame loop hears the disconnect
    assert _writers() == []
    await outbox.close()


async def test_frames_that_can_go_at_once_are_written_without_a_task() -> None:
    socket = RecordingSocket(direct=True)
    outbox = _outbox(socket)
    outbox.follow("cnv_1", 0)
    outbox.send(b'{"type":"ack"}')
    outbox.push_bus(pack(b'{"seq":1}', conversation_id="cnv_1", seq=1))
    outbox.push_bus(pack(b'{"seq":1}', conversation_id="cnv_1", seq=1))  # a duplicate

    # written before anything else runs: no writer task was needed
    assert socket.sent_directly == ['{"type":"ack"}', '{"seq":1}']
    assert _writers() == []
    assert outbox.delivered == {"cnv_1": 1}
    await outbox.close()


async def test_while_the_socket_cannot_take_more_frames_queue_and_keep_their_order() -> None:
    socket = RecordingSocket(direct=True)
    outbox = _outbox(socket)
    outbox.follow("cnv_1", 0)
    socket.writable = False  # the client stopped reading: the transport's buffer is full
    outbox.push_bus(pack(b'{"seq":1}', conversation_id="cnv_1", seq=1))
    socket.writable = True
    outbox.send(b'{"type":"ack"}')  # it may go at once, but a frame waits before it
    assert socket.sent == []

    await asyncio.sleep(0.01)
    assert socket.sent == ['{"seq":1}', '{"type":"ack"}']
    assert _writers() == []
    outbox.send(b'{"type":"later"}')  # the queue is empty again: straight out
    assert socket.sent_directly[-1] == '{"type":"later"}'
    await outbox.close()


async def test_a_gap_seen_at_once_is_refilled_from_the_store_before_later_frames() -> None:
    async def refill(conversation_id: str, after_seq: int) -> list[tuple[int, bytes]]:
        return [(seq, b'{"seq":%d}' % seq) for seq in range(after_seq + 1, 4)]

    socket = RecordingSocket(direct=True)
    outbox = Outbox(socket, refill)  # type: ignore[arg-type]
    outbox.follow("cnv_1", 0)
    outbox.push_bus(pack(b'{"seq":3}', conversation_id="cnv_1", seq=3))  # 1 and 2 were lost
    outbox.send(b'{"type":"ack"}')
    await asyncio.sleep(0.01)

    assert socket.sent == ['{"seq":1}', '{"seq":2}', '{"seq":3}', '{"type":"ack"}']
    assert outbox.delivered == {"cnv_1": 3}
    await outbox.close()
