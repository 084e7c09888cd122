"""``/ws/visitor`` against a live server with real WebSocket clients."""

from __future__ import annotations

import json
import logging

import pytest
import websockets
from sqlalchemy import event

from tests.conftest import LiveApp
from tests.support.chat import connect, new_visitor, visitor_client


async def test_first_message_is_acked_after_storing_and_answered_by_the_bot(
    live_url: str,
) -> None:
    visitor, welcome = await visitor_client(live_url, await new_visitor(live_url, name="Vera"))
    assert welcome["conversation"] is None
    assert welcome["agents_online"] == 0
    ack = await visitor.say("How do I export my invoices?")
    assert ack["seq"] == 1
    echoed = await visitor.expect("message", seq=1)
    assert echoed["author"]["kind"] == "visitor"
    assert echoed["text"] == "How do I export my invoices?"
    suggestions = await visitor.expect("suggestions")
    assert suggestions["conversation_id"] == ack["conversation_id"]
    bot = await visitor.expect("message", seq=2)
    assert bot["author"]["kind"] == "bot"
    await visitor.close()


async def test_the_ack_comes_as_soon_as_the_message_is_stored_not_after_the_bots_turn(
    live_url: str,
) -> None:
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    await visitor.send({"type": "message", "client_id": "q1", "text": "How do I export?"})
    frames: list[dict[str, object]] = []
    for _ in range(20):  # until the bot's answer is in (10 s at most)
        frames += await visitor.collect(0.5)
        if any(f["type"] == "message" and f.get("seq") == 2 for f in frames):
            break
    kinds = [f["type"] if f["type"] != "message" else f"message {f['seq']}" for f in frames]
    assert kinds.index("ack") < kinds.index("suggestions") < kinds.index("message 2")
    await visitor.close()


async def test_resending_a_client_id_stores_once_and_returns_the_original_ack(
    live_url: str,
) -> None:
    token = await new_visitor(live_url)
    visitor, _ = await visitor_client(live_url, token)
    frame = {"type": "message", "client_id": "same-1", "text": "hello"}
    await visitor.send(frame)
    first = await visitor.expect("ack", client_id="same-1")
    await visitor.send(frame)
    second = await visitor.expect("ack", client_id="same-1")
    assert first == second
    await visitor.close()
    replay, _ = await visitor_client(live_url, token, last_seq=0)
    frames = await replay.collect(0.5)
    copies = [f for f in frames if f["type"] == "message" and f["client_id"] == "same-1"]
    assert len(copies) == 1
    await replay.close()


async def test_hello_with_last_seq_replays_exactly_the_missed_messages_in_order(
    live_url: str,
) -> None:
    token = await new_visitor(live_url)
    visitor, _ = await visitor_client(live_url, token)
    for n in range(3):
        await visitor.say(f"question {n}")
    await visitor.close()
    resumed, welcome = await visitor_client(live_url, token, last_seq=2)
    assert welcome["conversation"]["last_seq"] >= 4
    frames = [f for f in await resumed.collect(0.5) if f["type"] == "message"]
    seqs = [f["seq"] for f in frames]
    assert seqs == list(range(3, welcome["conversation"]["last_seq"] + 1))
    await resumed.close()


async def test_two_tabs_of_one_visitor_both_see_the_conversation(live_url: str) -> None:
    token = await new_visitor(live_url)
    first_tab, _ = await visitor_client(live_url, token)
    await first_tab.say("opening the conversation")
    second_tab, welcome = await visitor_client(live_url, token)
    assert welcome["conversation"] is not None
    ack = await first_tab.say("typed in the first tab")
    seen = await second_tab.expect("message", seq=ack["seq"])
    assert seen["text"] == "typed in the first tab"
    await first_tab.close()
    await second_tab.close()


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        json.dumps({"type": "teleport"}),
        json.dumps({"type": "message", "client_id": "x1", "text": 42}),
        json.dumps({"type": "message", "client_id": "x2", "text": "a" * 5001}),
        json.dumps({"type": "rate", "score": 9}),
    ],
)
async def test_invalid_frames_get_an_error_and_change_nothing(live_url: str, bad: str) -> None:
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url))
    await visitor.connection.send(bad)
    error = await visitor.expect("error")
    assert error["code"] == "invalid_frame"
    assert error["message"]
    if "x1" in bad:
        assert error["ref"] == "x1"
    ack = await visitor.say("still here")  # the socket stays open and usable
    assert ack["seq"] == 1  # nothing was stored by the bad frame
    await visitor.close()


async def test_bad_token_closes_with_4401(live_url: str) -> None:
    client = await connect(f"{live_url.replace('http', 'ws')}/ws/visitor?token=forged")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_oversized_frame_closes_with_1009_and_binary_with_1008(live_url: str) -> None:
    token = await new_visitor(live_url)
    big, _ = await visitor_client(live_url, token)
    await big.connection.send("x" * (70 * 1024))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await big.collect(2)
        await big.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    binary, _ = await visitor_client(live_url, token)
    await binary.connection.send(b"\x00\x01")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await binary.collect(2)
        await binary.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


async def test_a_flood_closes_with_4429_and_spares_the_neighbour(live_url: str) -> None:
    neighbour, _ = await visitor_client(live_url, await new_visitor(live_url))
    flooder, _ = await visitor_client(live_url, await new_visitor(live_url))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for n in range(200):
            await flooder.send({"type": "typing", "state": n % 2 == 0})
        await flooder.collect(2)
        await flooder.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4429
    assert (await neighbour.say("unaffected"))["seq"] == 1
    await neighbour.close()


async def test_a_flooder_reconnecting_at_once_is_refused_before_the_upgrade(
    live_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """After a flood's 4429 the same visitor's new sockets are an HTTP 429 for a while (no
    socket accepted, nothing read, the access line says 429); another visitor from the same
    address is not held back."""
    token = await new_visitor(live_url)
    flooder, _ = await visitor_client(live_url, token)
    with pytest.raises(websockets.ConnectionClosed):
        for _ in range(200):
            await flooder.send({"type": "typing", "state": True})
        await flooder.collect(2)
        await flooder.receive()
    with (
        caplog.at_level(logging.INFO, logger="parley.access"),
        pytest.raises(websockets.InvalidStatus) as refused,
    ):
        await connect(f"{live_url.replace('http', 'ws', 1)}/ws/visitor?token={token}")
    assert refused.value.response.status_code == 429
    assert 1 <= int(refused.value.response.headers["Retry-After"]) <= 10
    assert any(r.getMessage().startswith("WS /ws/visitor 429 ") for r in caplog.records)
    other, _ = await visitor_client(live_url, await new_visitor(live_url))
    assert (await other.say("unaffected"))["seq"] == 1
    await other.close()


async def test_repeated_typing_frames_read_nothing_from_the_store(live_app: LiveApp) -> None:
    """A client that sends nothing but ``typing`` (with or without a conversation) costs the
    store one read per change of state, not one per frame."""
    visitor, _ = await visitor_client(live_app.url, await new_visitor(live_app.url))
    engine = live_app.app.state.services.db.engine.sync_engine
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(20):  # below the socket's own limit of 30 at once
            await visitor.send({"type": "typing", "state": True})
        await visitor.send({"type": "read", "seq": 0})  # answered after every typing frame
        await visitor.expect("error")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    reads = [s for s in statements if s.startswith("SELECT")]
    assert len(reads) <= 2  # the first typing frame's, and the read frame's
    await visitor.close()
