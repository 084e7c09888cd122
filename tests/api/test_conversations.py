"""A visitor reads their own conversations over HTTP, and nobody else's."""

from __future__ import annotations

import httpx

from tests.support.chat import new_visitor, visitor_client


async def test_visitor_lists_and_reads_only_their_own_conversations(live_url: str) -> None:
    owner = await new_visitor(live_url)
    visitor, _ = await visitor_client(live_url, owner)
    conversation_id = (await visitor.say("my private question"))["conversation_id"]
    await visitor.close()
    stranger = await new_visitor(live_url)
    async with httpx.AsyncClient(base_url=live_url) as http:
        mine = await http.get("/api/v1/conversations", headers={"Authorization": f"Bearer {owner}"})
        assert [c["id"] for c in mine.json()["conversations"]] == [conversation_id]
        messages = await http.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            headers={"Authorization": f"Bearer {owner}"},
        )
        assert messages.json()["messages"][0]["text"] == "my private question"
        theirs = await http.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            headers={"Authorization": f"Bearer {stranger}"},
        )
        assert theirs.status_code == 404
        anonymous = await http.get("/api/v1/conversations")
        assert anonymous.status_code == 401
