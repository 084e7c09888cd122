"""SIGKILL the server mid-conversation: every acknowledged message survives, once, in order."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from tests.support.chat import new_visitor, visitor_client
from tests.support.live_server import LiveServer, parley_env


async def test_acknowledged_messages_survive_a_kill(tmp_path: Path) -> None:
    server = LiveServer(parley_env(data_dir=str(tmp_path / "data")), tmp_path).start()
    try:
        token = await new_visitor(server.url)
        visitor, _ = await visitor_client(server.url, token)
        await visitor.send({"type": "handoff"})  # no bot replies between our messages
        acked: dict[str, int] = {}
        for n in itertools.count():
            if n == 20:
                server.kill()  # mid-stream: frames in flight are never acknowledged
            try:
                await visitor.send({"type": "message", "client_id": f"m{n}", "text": f"#{n}"})
                await asyncio.sleep(0.125)  # a steady 8 messages a second
                for frame in await visitor.collect(0.001):
                    if frame["type"] == "ack":
                        acked[frame["client_id"]] = frame["seq"]
            except Exception:
                break
            assert n < 200, "the killed server kept answering"
        assert len(acked) >= 10

        server.start()
        resumed, welcome = await visitor_client(server.url, token, last_seq=0)
        replay = [f for f in await resumed.collect(1.0) if f["type"] == "message"]
        seqs = [f["seq"] for f in replay]
        assert seqs == list(range(1, welcome["conversation"]["last_seq"] + 1))
        stored = [f["client_id"] for f in replay if f["client_id"]]
        assert len(stored) == len(set(stored)), "a message was stored twice"
        for client_id, seq in acked.items():
            assert client_id in stored, f"acknowledged {client_id} was lost"
            assert replay[seq - 1]["client_id"] == client_id
        await resumed.close()
    finally:
        server.stop()
