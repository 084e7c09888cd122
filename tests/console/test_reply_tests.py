"""A/B tests of saved replies over HTTP and the agent socket: admins start and end them, an agent
draws the conversation's variant (the same one every time) and the reply sent with it is
counted in the results; a variant the conversation did not draw is refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import agent_client, agent_token, new_visitor, visitor_client

MakeAgent = Callable[..., Awaitable[str]]
WORDINGS = ["Your refund is on its way.", "Good news: the refund has been sent!"]


async def _browser(live_url: str, email: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    browser = httpx.AsyncClient(base_url=live_url)
    return browser, {"X-CSRF-Token": await signed_in_with_csrf(browser, email)}


async def test_a_reply_under_test_end_to_end(live_url: str, make_agent: MakeAgent) -> None:
    admin, admin_headers = await _browser(live_url, await make_agent("Ada", role="admin"))
    ann_email = await make_agent("Ann")
    ann, ann_headers = await _browser(live_url, ann_email)
    created = await ann.post(
        "/api/v1/console/saved-replies",
        json={"shortcut": "refund", "title": "Refund", "body": WORDINGS[0]},
        headers=ann_headers,
    )
    reply_id = created.json()["id"]
    tests_url = f"/api/v1/quality/saved-replies/{reply_id}/tests"

    refused = await ann.post(tests_url, json={"variants": WORDINGS}, headers=ann_headers)
    assert refused.status_code == 403  # an admin decides what is tested
    invalid = await admin.post(tests_url, json={"variants": WORDINGS[:1]}, headers=admin_headers)
    assert invalid.status_code == 400
    started = await admin.post(tests_url, json={"variants": WORDINGS}, headers=admin_headers)
    assert started.status_code == 201
    test_id = started.json()["id"]
    assert [t["id"] for t in (await ann.get(tests_url)).json()["tests"]] == [test_id]

    agent, _ = await agent_client(live_url, await agent_token(live_url, ann_email, PASSWORD))
    visitor, _ = await visitor_client(live_url, await new_visitor(live_url, name="Vera"))
    conversation_id = (await visitor.say("Where is my refund?"))["conversation_id"]
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned", conversation_id=conversation_id)

    draw_url = f"/api/v1/quality/saved-replies/{reply_id}/draw"
    body = {"conversation_id": conversation_id}
    drawn = (await ann.post(draw_url, json=body, headers=ann_headers)).json()
    again = (await ann.post(draw_url, json=body, headers=ann_headers)).json()
    assert drawn == again
    variant = drawn["variant"]
    assert drawn["body"] == WORDINGS[variant]
    assert drawn["label"] == "AB"[variant]
    unknown = await ann.post(draw_url, json={"conversation_id": "cnv_nope"}, headers=ann_headers)
    assert unknown.status_code == 404
    async with httpx.AsyncClient(base_url=live_url) as stranger:
        assert (await stranger.post(draw_url, json=body)).status_code == 401

    frame = {"conversation_id": conversation_id, "saved_reply_id": reply_id}
    await agent.send(
        {"type": "message", "client_id": "wrong", "text": "x", **frame, "variant": 1 - variant}
    )
    assert (await agent.expect("error"))["code"] == "variant_not_drawn"
    sent = await agent.say(drawn["body"], **frame, variant=variant)
    assert (await visitor.expect("message", seq=sent["seq"]))["text"] == WORDINGS[variant]

    results = (await ann.get(f"/api/v1/quality/tests/{test_id}")).json()
    assert [v["episodes"] for v in results["variants"]] == [1 - variant, variant]
    usage = (await ann.get("/api/v1/quality/saved-replies/usage")).json()["usage"]
    assert usage == {reply_id: 1}

    end_url = f"/api/v1/quality/tests/{test_id}/end"
    assert (await ann.post(end_url, json={"winner": 1}, headers=ann_headers)).status_code == 403
    ended = await admin.post(end_url, json={"winner": 1}, headers=admin_headers)
    assert ended.json()["winner"] == 1
    replies = (await ann.get("/api/v1/console/saved-replies")).json()["saved_replies"]
    assert replies[0]["body"] == WORDINGS[1]
    for client in (admin, ann):
        await client.aclose()
    await agent.close()
    await visitor.close()
