"""``SequenceTracker``: what a socket sends of a conversation's numbered events, decided with no
I/O. The socket-level proof that a lost bus message is re-read from the store is
``tests/sockets/test_outbox.py``."""

from __future__ import annotations

from parley.conversation.sequence import Action, Decision, SequenceTracker

CONVERSATION = "cnv_1"


def _live(tracker: SequenceTracker, *seqs: int) -> list[Action]:
    return [tracker.live(CONVERSATION, seq).action for seq in seqs]


def _replayed(tracker: SequenceTracker, *seqs: int) -> list[int]:
    """The replayed ``seq``s the socket sends, in order."""
    return [seq for seq in seqs if tracker.replayed(CONVERSATION, seq).send]


def test_the_next_seq_is_delivered_and_moves_the_mark() -> None:
    tracker = SequenceTracker()
    tracker.follow(CONVERSATION, 3)
    assert _live(tracker, 4, 5) == [Action.DELIVER, Action.DELIVER]
    assert tracker.delivered == {CONVERSATION: 5}


def test_a_duplicate_is_dropped() -> None:
    tracker = SequenceTracker()
    tracker.follow(CONVERSATION, 3)
    assert _live(tracker, 4, 4, 2) == [
        Action.DELIVER,
        Action.DROP_DUPLICATE,
        Action.DROP_DUPLICATE,
    ]
    assert tracker.delivered[CONVERSATION] == 4


def test_a_dropped_bus_message_asks_for_a_refill_from_the_last_seq_sent() -> None:
    tracker = SequenceTracker()
    tracker.follow(CONVERSATION, 3)
    assert tracker.live(CONVERSATION, 4).action is Action.DELIVER
    # 5 was lost on the bus; 6 arrives
    decision = tracker.live(CONVERSATION, 6)
    assert decision == Decision(Action.REFILL, refill_after=4)
    assert not decision.send
    assert tracker.delivered[CONVERSATION] == 4  # nothing taken as sent until the store says
    assert _replayed(tracker, 5, 6) == [5, 6]  # the store's answer fills the gap
    assert _live(tracker, 6, 7) == [Action.DROP_DUPLICATE, Action.DELIVER]


def test_a_replay_overlapping_the_live_stream_sends_each_seq_once() -> None:
    tracker = SequenceTracker()
    tracker.resume(CONVERSATION, 2)  # the client has 1..2; the store holds up to 5
    assert _live(tracker, 3, 4) == [Action.DELIVER, Action.DELIVER]  # live got there first
    assert _replayed(tracker, 3, 4, 5) == [5]
    assert _live(tracker, 5, 6) == [Action.DROP_DUPLICATE, Action.DELIVER]
    assert tracker.delivered[CONVERSATION] == 6


def test_resume_rewinds_but_follow_keeps_the_place_of_a_followed_conversation() -> None:
    tracker = SequenceTracker()
    tracker.follow(CONVERSATION, 5)
    tracker.follow(CONVERSATION, 9)
    assert tracker.delivered[CONVERSATION] == 5
    tracker.resume(CONVERSATION, 2)  # a client that lost frames asks again from 2
    assert _replayed(tracker, 3, 4, 5, 6) == [3, 4, 5, 6]
    tracker.resume(CONVERSATION, 8)  # never forward past what was sent
    assert tracker.delivered[CONVERSATION] == 6


def test_notes_are_numbered_apart_and_a_note_replayed_and_live_is_sent_once() -> None:
    tracker = SequenceTracker()
    tracker.follow(CONVERSATION, 4)
    assert _live(tracker, -1) == [Action.DELIVER]  # note 1: the visible seq does not move
    assert tracker.delivered[CONVERSATION] == 4
    assert _live(tracker, 5) == [Action.DELIVER]  # so the next message is no gap
    assert _replayed(tracker, -1, -2, 5, 6) == [-2, 6]
    assert _live(tracker, -2, -1, -3) == [
        Action.DROP_DUPLICATE,
        Action.DROP_DUPLICATE,
        Action.DELIVER,
    ]


def test_events_without_a_seq_or_of_conversations_not_followed_pass_through() -> None:
    tracker = SequenceTracker()
    assert tracker.live(None, None).action is Action.PASS_THROUGH  # a summary for every agent
    assert tracker.live(CONVERSATION, None).action is Action.PASS_THROUGH  # a status frame
    assert _live(tracker, 7, 7) == [Action.PASS_THROUGH, Action.PASS_THROUGH]
    assert tracker.delivered == {}


def test_forget_stops_tracking_messages_and_notes() -> None:
    tracker = SequenceTracker()
    tracker.follow(CONVERSATION, 1)
    assert _live(tracker, 2, -1) == [Action.DELIVER, Action.DELIVER]
    tracker.forget(CONVERSATION)
    assert tracker.delivered == {}
    assert _live(tracker, 9) == [Action.PASS_THROUGH]
    assert _live(tracker, -1) == [Action.DELIVER]  # notes numbered afresh once followed again
    tracker.follow(CONVERSATION, 9)
    assert _live(tracker, 10) == [Action.DELIVER]


def test_conversations_are_tracked_independently() -> None:
    tracker = SequenceTracker()
    tracker.follow("cnv_a", 1)
    tracker.follow("cnv_b", 10)
    assert tracker.live("cnv_a", 2).action is Action.DELIVER
    assert tracker.live("cnv_b", 2).action is Action.DROP_DUPLICATE
    assert tracker.live("cnv_b", 12) == Decision(Action.REFILL, refill_after=10)
