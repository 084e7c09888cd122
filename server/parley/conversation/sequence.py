"""Which conversation events a socket still has to send: the ``seq`` bookkeeping, with no I/O.

Every message frame carries its conversation's ``seq`` (DESIGN.md rule 4). A socket that
follows a conversation remembers the last ``seq`` it sent; a live event one past it is sent,
one at or below it is a duplicate (a replay and the live stream overlapped), and one further
ahead means the bus lost something, so the socket re-reads the store from its last ``seq``.
Internal notes are numbered apart (a negative ``seq``, ``-note_seq``): they never advance the
visible ``seq``, and a note both replayed and live is sent once.

The socket's outbox asks and does the I/O; this class only decides, so every case is a unit
test away.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Action(enum.Enum):
    DELIVER = "deliver"  # the next event of a followed conversation: send it
    PASS_THROUGH = "pass_through"  # not numbered, or a conversation not followed: send as is
    DROP_DUPLICATE = "drop_duplicate"  # already sent: send nothing
    REFILL = "refill"  # a gap: send nothing, re-read the store after ``refill_after``


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    refill_after: int = 0  # for REFILL: the last ``seq`` this socket sent

    @property
    def send(self) -> bool:
        return self.action in (Action.DELIVER, Action.PASS_THROUGH)


DELIVER = Decision(Action.DELIVER)
PASS_THROUGH = Decision(Action.PASS_THROUGH)
DROP_DUPLICATE = Decision(Action.DROP_DUPLICATE)


class SequenceTracker:
    """The last ``seq`` (and note number) sent per conversation for one socket."""

    def __init__(self) -> None:
        self._delivered: dict[str, int] = {}
        self._notes_delivered: dict[str, int] = {}

    @property
    def delivered(self) -> Mapping[str, int]:
        """The last visible ``seq`` sent, per followed conversation (read-only)."""
        return self._delivered

    def follow(self, conversation_id: str, seq: int) -> None:
        """Follow after ``seq`` (the client has the rest); one already followed keeps its place."""
        self._delivered.setdefault(conversation_id, seq)

    def resume(self, conversation_id: str, after_seq: int) -> None:
        """The client has everything up to ``after_seq``: a replay from the store follows.

        The mark only moves back, so events sent again by the replay go out once more (the
        client asked for them) and none it lacks is taken as sent."""
        known = self._delivered.get(conversation_id, after_seq)
        self._delivered[conversation_id] = min(known, after_seq)

    def forget(self, conversation_id: str) -> None:
        """Stop following: the conversation's events pass through untracked from now on."""
        self._delivered.pop(conversation_id, None)
        self._notes_delivered.pop(conversation_id, None)

    def live(self, conversation_id: str | None, seq: int | None) -> Decision:
        """What to do with an event that arrived on the bus."""
        if conversation_id is None or seq is None:
            return PASS_THROUGH
        if seq < 0:
            return self._note(conversation_id, -seq)
        last = self._delivered.get(conversation_id)
        if last is None:
            return PASS_THROUGH
        if seq <= last:
            return DROP_DUPLICATE
        if seq > last + 1:
            return Decision(Action.REFILL, refill_after=last)
        self._delivered[conversation_id] = seq
        return DELIVER

    def replayed(self, conversation_id: str, seq: int) -> Decision:
        """What to do with a message read back from the store (the store has no gaps)."""
        if seq < 0:
            return self._note(conversation_id, -seq)
        if seq <= self._delivered.get(conversation_id, 0):
            return DROP_DUPLICATE
        self._delivered[conversation_id] = seq
        return DELIVER

    def _note(self, conversation_id: str, note_seq: int) -> Decision:
        if note_seq <= self._notes_delivered.get(conversation_id, 0):
            return DROP_DUPLICATE
        self._notes_delivered[conversation_id] = note_seq
        return DELIVER
