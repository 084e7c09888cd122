"""The outbox's own rules: one writer in order, none while idle, 1013 for a client left behind.

The socket here records what it is given (the outbox needs only ``send_text`` and ``close``);
the same outbox behind real sockets is exercised by every test in tests/sockets.
"""

from __future__ import annotations

import asyncio
import gc

from parley.conversation.events import pack
from parley.sockets.connection import CLOSE_TRY_AGAIN, Outbox


class RecordingSocket:
    def __init__(self, *, fail_on: str | None = None, slow: bool = False) -> None:
        self.sent: list[str] = []
        self.closed_with: tuple[int, str] | None = None
        self.fail_on = fail_on
        self.slow = slow

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


async def test_a_failed_write_is_reported_and_stops_the_writer() -> None:
    socket = RecordingSocket(fail_on='{"n":1}')
    outbox = _outbox(socket)
    for n in range(3):
        outbox.send(b'{"n":%d}' % n)
    await asyncio.sleep(0.01)

    assert isinstance(outbox.failure, ConnectionResetError)
    assert socket.sent == ['{"n":0}']  # nothing after the failure: the socket is closed 1011
    assert _writers() == []
    await outbox.close()
