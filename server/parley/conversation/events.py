"""What travels on the bus: a ready-to-send frame, wrapped with its conversation and ``seq``.

Receivers forward ``frame`` bytes untouched; ``seq`` lets them notice a gap and re-read the
store (DESIGN.md rule 4). Channels name who listens: one conversation's agents, one visitor's
tabs, or every agent.
"""

from __future__ import annotations

import msgspec

AGENTS_CHANNEL = "agents"


def conversation_channel(conversation_id: str) -> str:
    return f"conv:{conversation_id}"


def visitor_channel(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


class Envelope(msgspec.Struct, array_like=True):
    conversation_id: str | None
    seq: int | None
    frame: msgspec.Raw


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Envelope)


def pack(frame: bytes, *, conversation_id: str | None = None, seq: int | None = None) -> bytes:
    return _encoder.encode(Envelope(conversation_id, seq, msgspec.Raw(frame)))


def unpack(payload: bytes) -> Envelope:
    return _decoder.decode(payload)
