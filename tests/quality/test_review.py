"""Peer review through the real lifecycle on both databases: weekly assignments (colleagues'
work only, spread over agents, never twice), scoring against the scorecard (IQS by hand),
the thread as it was, calibration and IQS per agent and team."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from parley import clock
from parley.conversation.store import Conversation
from parley.errors import BadRequest, Conflict, Forbidden
from parley.identity.store import Agent, Visitor
from parley.quality import review
from parley.quality.store.review import Handled, Scorecard
from tests.quality.conftest import Desk
from tests.support.clock import FrozenClock

NewVisitor = Callable[[], Awaitable[Visitor]]
NewAgent = Callable[[str], Awaitable[Agent]]
GOOD = {"empathy": 5, "solution": 3, "tone": 4, "media": 1}


async def _handled(desk: Desk, visitor: Visitor, agent: Agent, text: str) -> Conversation:
    conversation = (await desk.life.open_for(visitor, team=None)).conversation
    await desk.life.handoff(conversation, "asked")
    await desk.life.accept(conversation.id, agent)
    await desk.life.agent_says(
        conversation.id, agent, text=text, client_id=text, attachment_ids=[], internal=False
    )
    return await desk.life.resolve(conversation.id, by="agent", agent=agent)


def test_picks_spread_over_colleagues_and_skip_ones_own_and_seen() -> None:
    ann = [Handled(f"a{n}", 1, "ann", None) for n in range(5)]
    bob, cid = Handled("b", 1, "bob", None), Handled("c", 1, "cid", None)
    seen = {("c", 1)}
    picked = review.pick([*ann, bob, cid, Handled("d", 1, "dan", None)], "ann", seen, 2)
    assert {p.agent_id for p in picked} == {"bob", "dan"}  # one each, not Ann's, not seen
    assert len(review.pick([*ann, bob], "ann", set(), 5)) == 1  # only what there is


def test_iqs_is_the_weighted_mean_on_zero_to_a_hundred() -> None:
    card = Scorecard("card", review.DEFAULT_CRITERIA, 5, None, clock.now())
    # empathy 25 * 4/4 + solution 35 * 2/4 + tone 20 * 3/4 + media 20 * 0 = 25 + 17.5 + 15 = 57.5
    assert review.iqs(card, GOOD) == 57.5


async def test_a_week_of_reviews_end_to_end(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    db = desk.db
    ann, bob, cid = await new_agent("Ann"), await new_agent("Bob"), await new_agent("Cid")
    vera = await new_visitor()
    bobs = await _handled(desk, vera, bob, "Bob helps")
    await _handled(desk, await new_visitor(), ann, "Ann helps")
    moving.advance(days=1)
    await desk.life.visitor_says(
        vera, bobs.id, text="one more thing", client_id="x", attachment_ids=[]
    )

    week = await review.this_week(db, ann, 5)
    assert [(a.conversation_id, a.episode, a.agent_id) for a in week] == [(bobs.id, 1, bob.id)]
    assert await review.this_week(db, ann, 5) == week  # drawn once a week
    (for_cid,) = [a for a in await review.this_week(db, cid, 5) if a.conversation_id == bobs.id]

    assert await review.readable_assignment(db, week[0].id, bob) == week[0]  # the reviewed agent
    with pytest.raises(Forbidden):
        await review.readable_assignment(db, week[0].id, cid)  # another reviewer's
    thread = await review.thread(db, week[0])
    assert "Bob helps" in [m.text for m in thread]
    assert "one more thing" not in [m.text for m in thread]  # the next episode is not reviewed

    with pytest.raises(Forbidden):
        await review.submit(db, bob, week[0].id, GOOD, None)  # nobody scores their own review
    with pytest.raises(BadRequest):
        await review.submit(db, ann, week[0].id, {"empathy": 5}, None)
    with pytest.raises(BadRequest):
        await review.submit(db, ann, week[0].id, {**GOOD, "tone": 6}, None)
    done = await review.submit(db, ann, week[0].id, GOOD, "  Kind, but no screenshot. ")
    assert (done.score, done.comment) == (57.5, "Kind, but no screenshot.")
    with pytest.raises(Conflict):
        await review.submit(db, ann, week[0].id, GOOD, None)
    await review.submit(db, cid, for_cid.id, {k: 5 for k in GOOD}, None)

    (calibrated,) = await review.calibration(db)
    assert (calibrated["conversation_id"], calibrated["spread"]) == (bobs.id, 42.5)
    scores = await review.quality_scores(
        db, clock.now() - timedelta(days=1), clock.now() + timedelta(seconds=1)
    )
    assert scores["agents"] == {bob.id: {"reviews": 2, "iqs": 78.8}}  # (57.5 + 100) / 2 = 78.75
    (team,) = scores["teams"].values()
    assert team["reviews"] == 2

    moving.advance(days=7)  # next week: Bob's conversation is not given to Ann again
    assert all(a.conversation_id != bobs.id for a in await review.this_week(db, ann, 5))


@pytest.mark.parametrize(
    "body",
    [
        {"criteria": []},
        {"criteria": [{"label": "Tone", "weight": 0}]},
        {"criteria": [{"label": "Tone"}, {"label": "tone"}]},
        {"criteria": [{"label": "Tone"}], "scale": 1},
        {"criteria": "tone"},
    ],
)
def test_a_bad_scorecard_is_refused(body: dict[str, object]) -> None:
    with pytest.raises(BadRequest):
        review.validate_scorecard(body)
