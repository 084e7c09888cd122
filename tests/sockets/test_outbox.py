"""The outbox against a live server: a message the bus lost reaches the socket from the store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from parley.conversation.events import unpack
from tests.conftest import LiveApp
from tests.support.chat import new_visitor, visitor_client


def _lose_once(live_app: LiveApp, channel_prefix: str, seq: int) -> list[bytes]:
    """Make the process's bus drop the message with ``seq`` published to a channel, once."""
    bus = live_app.app.state.services.bus
    publish: Callable[[str, bytes], Awaitable[None]] = bus.publish
    lost: list[bytes] = []

    async def lossy_publish(to: str, payload: bytes) -> None:
        if to.startswith(channel_prefix) and not lost and unpack(payload).seq == seq:
            lost.append(payload)
            return
        await publish(to, payload)

    bus.publish = lossy_publish
    return lost


async def test_a_message_lost_on_the_bus_reaches_the_other_tab_in_order_once(
    live_app: LiveApp,
) -> None:
    token = await new_visitor(live_app.url)
    first_tab, _ = await visitor_client(live_app.url, token)
    await first_tab.say("opening the conversation")
    await first_tab.expect("message", seq=2)  # the bot's answer: the conversation is quiet now
    second_tab, welcome = await visitor_client(live_app.url, token)
    after = welcome["conversation"]["last_seq"]
    lost = _lose_once(live_app, "visitor:", after + 1)  # the tabs listen on the visitor's channel

    await first_tab.say("this one is lost on the bus")
    await first_tab.say("this one arrives and shows the gap")
    frames = [f for f in await second_tab.collect(1.0) if f["type"] == "message"]

    assert lost, "the bus never published the message meant to be lost"
    texts = [f["text"] for f in frames if f["author"]["kind"] == "visitor"]
    assert texts.count("this one is lost on the bus") == 1
    seqs = [f["seq"] for f in frames]
    assert seqs == list(range(after + 1, after + 1 + len(seqs)))  # in order, none twice
    await first_tab.close()
    await second_tab.close()
