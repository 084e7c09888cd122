"""The agents' summary stream, decoded once per process and judged against the newest heard."""

from __future__ import annotations

import time

from parley.conversation.events import pack
from parley.conversation.protocol import LabelsOut, encode
from parley.conversation.summary_feed import SummaryFeed


def _summary(conversation_id: str, updated_at: str, status: str = "queued") -> bytes:
    frame = (
        b'{"type":"conversation","conversation":{"id":"%s","status":"%s","updated_at":"%s"}}'
        % (conversation_id.encode(), status.encode(), updated_at.encode())
    )
    return pack(frame)


def test_every_socket_gets_the_one_decoding_of_a_payload() -> None:
    feed = SummaryFeed()
    payload = _summary("c1", "2026-12-07T10:00:00.000001+00:00")
    first = feed.read(payload)
    assert feed.read(payload) is first
    assert first.summary is not None
    assert first.summary["status"] == "queued"
    assert not first.stale


def test_a_summary_older_than_one_heard_lost_a_race() -> None:
    feed = SummaryFeed()
    newer = feed.read(_summary("c1", "2026-12-07T10:00:02.000000+00:00", "assigned"))
    older = feed.read(_summary("c1", "2026-12-07T10:00:01.000000+00:00", "queued"))
    other = feed.read(_summary("c2", "2026-12-07T10:00:00.000000+00:00"))
    assert (newer.stale, older.stale, other.stale) == (False, True, False)


def test_the_label_list_is_news_for_everybody() -> None:
    news = SummaryFeed().read(pack(encode(LabelsOut(labels=[]))))
    assert news.summary is None
    assert not news.stale


def test_a_conversation_unchanged_for_long_is_forgotten() -> None:
    feed = SummaryFeed(remember_seconds=0.05)
    feed.read(_summary("c1", "2026-12-07T10:00:02.000000+00:00"))
    time.sleep(0.1)
    feed.read(_summary("c2", "2026-12-07T10:00:03.000000+00:00"))  # any change prunes
    assert not feed.read(_summary("c1", "2026-12-07T10:00:01.000000+00:00")).stale
    assert feed.read(_summary("c2", "2026-12-07T10:00:00.000000+00:00")).stale
