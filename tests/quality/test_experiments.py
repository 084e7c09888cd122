"""A/B tests of a saved reply through the real lifecycle on both databases: sticky draws, the
variant recorded on the reply's event, the measures read back from episodes and events, and
"end the test, keep the winner"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from parley.conversation import store
from parley.conversation.store import Conversation
from parley.errors import BadRequest, Conflict
from parley.identity.store import Agent, Visitor
from parley.quality import experiments
from parley.quality.store import experiments as quality_store
from parley.replies import store as replies
from tests.quality.conftest import Desk
from tests.support.clock import FrozenClock
from tests.support.factories import new_saved_reply

NewVisitor = Callable[[], Awaitable[Visitor]]
NewAgent = Callable[[str], Awaitable[Agent]]
WORDINGS = ["Your refund is on its way.", "Good news: the refund has been sent!"]


async def _handed_over(desk: Desk, visitor: Visitor, agent: Agent) -> Conversation:
    conversation = (await desk.life.open_for(visitor, team=None)).conversation
    await desk.life.handoff(conversation, "asked")
    return await desk.life.accept(conversation.id, agent)


async def _reply(
    desk: Desk, conversation: Conversation, agent: Agent, reply_id: str, n: int
) -> None:
    use = await experiments.reply_use(desk.db, conversation.id, reply_id, n)
    await desk.life.agent_says(
        conversation.id,
        agent,
        text=WORDINGS[n],
        client_id=f"reply-{conversation.id}",
        attachment_ids=[],
        internal=False,
        reply_use=use,
    )


async def test_a_conversation_keeps_the_variant_it_drew(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent
) -> None:
    ann = await new_agent("Ann")
    reply = await new_saved_reply(desk.db, ann.id, shortcut="refund", body=WORDINGS[0])
    plain = await experiments.draw(desk.db, reply.id, reply.body, "no-test-yet")
    assert (plain.variant, plain.body) == (None, WORDINGS[0])
    await experiments.start(desk.db, reply.id, WORDINGS, ann.id)
    conversations = [await _handed_over(desk, await new_visitor(), ann) for _ in range(20)]

    draws = [await experiments.draw(desk.db, reply.id, reply.body, c.id) for c in conversations]
    again = [await experiments.draw(desk.db, reply.id, reply.body, c.id) for c in conversations]
    assert [d.variant for d in draws] == [d.variant for d in again]
    assert all(d.body == WORDINGS[d.variant or 0] for d in draws)
    # 20 fair draws all alike: once in 524288 runs; the draw is random, not first-come
    assert len({d.variant for d in draws}) == 2


async def test_only_the_drawn_variant_is_recorded(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent
) -> None:
    ann = await new_agent("Ann")
    reply = await new_saved_reply(desk.db, ann.id, shortcut="refund", body=WORDINGS[0])
    experiment = await experiments.start(desk.db, reply.id, WORDINGS, ann.id)
    conversation = await _handed_over(desk, await new_visitor(), ann)
    await quality_store.pick(desk.db, experiment.id, conversation.id, 1)

    with pytest.raises(BadRequest, match="did not draw"):
        await experiments.reply_use(desk.db, conversation.id, reply.id, 0)
    await _reply(desk, conversation, ann, reply.id, 1)

    (event,) = [
        e for e in await store.events_of(desk.db, conversation.id) if e.type == "agent_reply"
    ]
    assert event.data == {"saved_reply": reply.id, "experiment": experiment.id, "variant": 1}
    assert await quality_store.reply_usage(desk.db) == {reply.id: 1}


@pytest.mark.parametrize(
    "variants",
    [["only one"], ["a", "b", "c", "d", "e"], ["same", "same"], ["fine", " "], "not a list"],
)
async def test_a_test_needs_two_to_four_different_wordings(
    desk: Desk, new_agent: NewAgent, variants: object
) -> None:
    ann = await new_agent("Ann")
    reply = await new_saved_reply(desk.db, ann.id, shortcut="refund", body="x")
    with pytest.raises(BadRequest):
        await experiments.start(desk.db, reply.id, variants, ann.id)
    assert await quality_store.experiments_of(desk.db, reply.id) == []


async def test_results_are_measured_from_episodes_and_events(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent, moving: FrozenClock
) -> None:
    db, life = desk.db, desk.life
    ann = await new_agent("Ann")
    reply = await new_saved_reply(db, ann.id, shortcut="refund", body=WORDINGS[0])
    experiment = await experiments.start(db, reply.id, WORDINGS, ann.id)
    visitors = [await new_visitor() for _ in range(4)]
    one, two, three, four = [await _handed_over(desk, v, ann) for v in visitors]
    for conversation, variant in ((one, 0), (two, 0), (three, 1), (four, 1)):
        await quality_store.pick(db, experiment.id, conversation.id, variant)
        moving.advance(minutes=1)
        await _reply(desk, conversation, ann, reply.id, variant)

    moving.advance(minutes=5)  # one: the visitor has to ask again, then it is solved (5 stars)
    await life.visitor_says(
        visitors[0], one.id, text="still nothing", client_id="q", attachment_ids=[]
    )
    for conversation, score in ((one, 5), (two, 2), (three, 4)):
        moving.advance(minutes=1)
        await life.resolve(conversation.id, by="agent", agent=ann)
        await life.rate(await life.conversation(conversation.id), score, None)
    moving.advance(days=1)  # two comes back within the week
    await life.visitor_says(
        visitors[1], two.id, text="it bounced", client_id="r", attachment_ids=[]
    )

    moving.advance(days=3)  # four days on: one and three may still be reopened
    early = await experiments.results(db, experiment.id)
    a, b = early["variants"]
    assert (
        a["measures"]["stayed_resolved"]["trials"],
        b["measures"]["stayed_resolved"]["trials"],
    ) == (1, 0)

    moving.advance(days=4)
    result = await experiments.results(db, experiment.id)
    a, b = result["variants"]
    assert (a["episodes"], b["episodes"]) == (2, 2)  # four is still open: counted, not measured
    counts = {
        name: (
            (a["measures"][name]["successes"], a["measures"][name]["trials"]),
            (b["measures"][name]["successes"], b["measures"][name]["trials"]),
        )
        for name in experiments.MEASURES
    }
    assert counts == {
        "csat": ((1, 2), (1, 1)),  # 5 and 2 against 4
        "stayed_resolved": ((1, 2), (1, 1)),  # two was reopened a day later
        "asked_again": ((1, 2), (0, 1)),  # one's visitor wrote again before it was resolved
    }
    assert a["measures"]["csat"]["rate"] == 0.5
    assert a["measures"]["csat"]["versus_a"] is None
    # [[1, 0], [1, 1]]: P(k) = 1/3, 2/3; both no likelier than the observed 2/3 -> p = 1
    assert b["measures"]["csat"]["versus_a"] == {
        "test": "fisher",
        "statistic": None,
        "p_value": pytest.approx(1.0),
        "p_adjusted": pytest.approx(1.0),
        "significant": False,
    }
    assert "Wilson" in result["method"]


async def test_ending_keeps_the_winner_as_the_reply(
    desk: Desk, new_visitor: NewVisitor, new_agent: NewAgent
) -> None:
    ann = await new_agent("Ann")
    reply = await new_saved_reply(desk.db, ann.id, shortcut="refund", body=WORDINGS[0])
    experiment = await experiments.start(desk.db, reply.id, WORDINGS, ann.id)
    with pytest.raises(Conflict):
        await experiments.start(desk.db, reply.id, WORDINGS, ann.id)
    with pytest.raises(BadRequest):
        await experiments.end(desk.db, experiment.id, 2)

    ended = await experiments.end(desk.db, experiment.id, 1)
    assert (ended.winner, ended.ended_at is not None) == (1, True)
    kept = await replies.reply_by_id(desk.db, reply.id)
    assert kept.body == WORDINGS[1]
    conversation = await _handed_over(desk, await new_visitor(), ann)
    after = await experiments.draw(desk.db, reply.id, kept.body, conversation.id)
    assert (after.variant, after.body) == (None, WORDINGS[1])
    with pytest.raises(Conflict):
        await experiments.end(desk.db, experiment.id, 0)
    # the ended test's results stay readable
    assert (await experiments.results(desk.db, experiment.id))["experiment"]["winner"] == 1
