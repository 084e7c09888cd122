"""Every WebSocket frame as a typed struct: decoded and validated in one step by msgspec.

Client frames are tagged unions on ``type``; a frame that does not fit (unknown type, wrong
field type, text too long) is a ``FrameError`` and changes nothing. Server frames are structs
too, so what goes out always has the shape PROTOCOL.md promises.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from parley.conversation.shapes import AttachmentOut, Summary, VisitorConversation
from parley.conversation.status import Status
from parley.errors import BadRequest
from parley.storable import NUL_REFUSED, holds_nul

MAX_TEXT = 5000
ClientId = Annotated[str, Meta(min_length=1, max_length=100)]
Id = Annotated[str, Meta(min_length=1, max_length=64)]
Text = Annotated[str, Meta(max_length=MAX_TEXT)]
AttachmentIds = Annotated[list[Id], Meta(max_length=10)]
MAX_SEQ = 2**63 - 1  # a SQL BIGINT: a larger seq can never exist, and could not be compared
Seq = Annotated[int, Meta(ge=0, le=MAX_SEQ)]


class _Frame(Struct, tag_field="type", forbid_unknown_fields=False, omit_defaults=False):
    pass


# --- visitor → server -------------------------------------------------------------------


class VisitorHello(_Frame, tag="hello"):
    last_seq: Seq | None = None
    team: Annotated[str, Meta(max_length=100)] | None = None  # extension: the widget's data-team


class VisitorMessage(_Frame, tag="message"):
    client_id: ClientId
    text: Text
    attachments: AttachmentIds = []


class VisitorTyping(_Frame, tag="typing"):
    state: bool


class VisitorRead(_Frame, tag="read"):
    seq: Seq


class Handoff(_Frame, tag="handoff"):
    reason: Annotated[str, Meta(max_length=500)] | None = None


class Rate(_Frame, tag="rate"):
    score: Annotated[int, Meta(ge=1, le=5)]
    comment: Annotated[str, Meta(max_length=2000)] | None = None


Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class Contact(_Frame, tag="contact"):
    """Extension: leave an email for the reply while nobody is online."""

    email: Email


class Transcript(_Frame, tag="transcript"):
    """Extension: "Email me the transcript" — mailed when the conversation is resolved (at
    once if it is); to ``email``, or else the address the visitor gave before."""

    email: Email | None = None


class VisitorResolve(_Frame, tag="resolve"):
    """Extension: "This solved it" — the visitor closes a conversation themselves."""


VisitorFrame = (
    VisitorHello
    | VisitorMessage
    | VisitorTyping
    | VisitorRead
    | Handoff
    | Rate
    | Contact
    | VisitorResolve
    | Transcript
)

# --- agent → server ---------------------------------------------------------------------


class AgentHello(_Frame, tag="hello"):
    last_seqs: dict[Id, Seq] = {}


class Presence(_Frame, tag="presence"):
    status: Literal["online", "away"]


class Accept(_Frame, tag="accept"):
    conversation_id: Id


class AgentMessage(_Frame, tag="message"):
    conversation_id: Id
    client_id: ClientId
    text: Text
    attachments: AttachmentIds = []
    internal: bool = False
    # extension: the saved reply (and A/B variant drawn) the text came from
    saved_reply_id: Id | None = None
    variant: Annotated[int, Meta(ge=0, le=3)] | None = None


class AgentTyping(_Frame, tag="typing"):
    conversation_id: Id
    state: bool


class AgentRead(_Frame, tag="read"):
    conversation_id: Id
    seq: Seq


class Transfer(_Frame, tag="transfer"):
    conversation_id: Id
    agent_id: Id | None = None
    team: Annotated[str, Meta(max_length=100)] | None = None
    reason: Annotated[str, Meta(max_length=500)] | None = None


class Resolve(_Frame, tag="resolve"):
    conversation_id: Id


class Reopen(_Frame, tag="reopen"):
    """Extension: take a resolved conversation up again (it becomes the agent's)."""

    conversation_id: Id


class Watch(_Frame, tag="watch"):
    """Extension: follow a conversation (e.g. read a queued one) from ``last_seq`` on."""

    conversation_id: Id
    last_seq: Seq = 0


AgentFrame = (
    AgentHello
    | Presence
    | Accept
    | AgentMessage
    | AgentTyping
    | AgentRead
    | Transfer
    | Resolve
    | Watch
    | Reopen
)


class FrameError(BadRequest):
    """A client frame that cannot be used; ``ref`` is its ``client_id`` when one was readable."""

    code = "invalid_frame"

    def __init__(self, message: str, ref: str | None) -> None:
        super().__init__(message)
        self.ref = ref


_visitor_decoder = msgspec.json.Decoder(VisitorFrame)
_agent_decoder = msgspec.json.Decoder(AgentFrame)


def _client_id_of(raw: str | bytes) -> str | None:
    try:
        parsed = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    ref = parsed.get("client_id") if isinstance(parsed, dict) else None
    return ref if isinstance(ref, str) and len(ref) <= 100 else None


def _decode(decoder: msgspec.json.Decoder[Any], raw: str | bytes) -> Any:
    try:
        frame = decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise FrameError(f"invalid frame: {exc}", _client_id_of(raw)) from None
    except msgspec.DecodeError:
        raise FrameError("frame is not valid JSON", None) from None
    except RecursionError:
        raise FrameError("frame is nested too deeply", None) from None
    if _may_hold_nul(raw) and holds_nul(msgspec.to_builtins(frame)):
        raise FrameError(NUL_REFUSED, _client_id_of(raw))
    return frame


def _may_hold_nul(raw: str | bytes) -> bool:
    """JSON carries a NUL only as the escape \\u0000: look closer only when it is there."""
    return "\\u0000" in raw if isinstance(raw, str) else b"\\u0000" in raw


def decode_visitor_frame(raw: str | bytes) -> VisitorFrame:
    frame: VisitorFrame = _decode(_visitor_decoder, raw)
    return frame


def decode_agent_frame(raw: str | bytes) -> AgentFrame:
    frame: AgentFrame = _decode(_agent_decoder, raw)
    return frame


# --- server → clients -------------------------------------------------------------------


class Author(Struct):
    kind: Literal["visitor", "agent", "bot", "system"]
    name: str | None
    id: str | None = None


class AgentRef(Struct):
    id: str
    name: str


class MessageOut(_Frame, tag="message"):
    conversation_id: str
    seq: int
    client_id: str | None
    author: Author
    text: str
    attachments: list[AttachmentOut]
    created_at: str
    internal: bool = False
    note_seq: int | None = None  # internal notes only: their own numbering (docs/protocol.md)
    suggestions: list[dict[str, Any]] | None = None  # the bot's results, kept for replays
    via: str | None = None  # "email": the visitor's reply came back by mail (docs/mail.md)


class Ack(_Frame, tag="ack"):
    client_id: str
    seq: int
    conversation_id: str
    note_seq: int | None = None


class Suggestions(_Frame, tag="suggestions"):
    conversation_id: str
    results: list[dict[str, Any]]
    confidence: float


class QueueUpdate(_Frame, tag="queue"):
    conversation_id: str
    position: int
    expected_wait_s: int | None


class Assigned(_Frame, tag="assigned"):
    conversation_id: str
    agent: AgentRef


class TypingOut(_Frame, tag="typing"):
    conversation_id: str
    by: Literal["agent", "visitor"]
    state: bool


class ReadOut(_Frame, tag="read"):
    conversation_id: str
    by: Literal["agent", "visitor"]
    seq: int


class StatusOut(_Frame, tag="status"):
    conversation_id: str
    status: Status


class ConversationOut(_Frame, tag="conversation"):
    conversation: Summary


class LabelsOut(_Frame, tag="labels"):
    """The team's label list changed (agents only; docs/protocol.md)."""

    labels: list[dict[str, Any]]


class AgentFace(Struct):
    name: str


class Welcome(_Frame, tag="welcome"):
    visitor_id: str
    conversation: VisitorConversation | None
    agents_online: int
    expected_wait_s: int | None
    business_hours: dict[str, Any] | None = None
    agents: list[AgentFace] = []  # extension: a few online agents, for the home card's faces


class AgentWelcome(_Frame, tag="welcome"):
    agent: dict[str, Any]
    conversations: list[Summary]
    agents_online: int


class ErrorOut(_Frame, tag="error"):
    code: str
    message: str
    ref: str | None


_encoder = msgspec.json.Encoder()


def encode(frame: Struct) -> bytes:
    return _encoder.encode(frame)
