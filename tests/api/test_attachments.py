"""``/api/v1/attachments``: upload to one's conversation, read back only by its parties."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from parley.config import Settings
from parley.db import Database
from parley.identity.agents import create_agent
from parley.identity.store import create_team
from tests.conftest import PASSWORD
from tests.media import animation_bytes, image_bytes, png_header
from tests.support.chat import agent_client, agent_token, new_visitor, visitor_client

MAX_BYTES = 300_000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Small limits, so each 413 needs only a small test image."""
    return settings.with_overrides(
        upload_max_bytes=MAX_BYTES, upload_max_pixels=1_000_000, upload_max_frames=10
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def visitor_with_conversation(live_url: str) -> tuple[str, str]:
    """A visitor token and the conversation its first message opened."""
    token = await new_visitor(live_url)
    visitor, _ = await visitor_client(live_url, token)
    conversation_id: str = (await visitor.say("here is my screenshot"))["conversation_id"]
    await visitor.close()
    return token, conversation_id


async def upload(
    http: httpx.AsyncClient, token: str | None, conversation_id: str, data: bytes, **fields: str
) -> httpx.Response:
    return await http.post(
        "/api/v1/attachments",
        headers=bearer(token) if token else None,
        data={"conversation_id": conversation_id, **fields},
        files={"file": ("screenshot.png", data, "image/png")},
    )


async def test_a_visitor_uploads_and_only_the_conversations_parties_can_fetch(
    live_url: str, make_agent: Callable[..., Awaitable[str]]
) -> None:
    owner, conversation_id = await visitor_with_conversation(live_url)
    stranger = await new_visitor(live_url)
    agent = await agent_token(live_url, await make_agent(), PASSWORD)
    async with httpx.AsyncClient(base_url=live_url) as http:
        response = await upload(http, owner, conversation_id, image_bytes("PNG", (960, 540)))
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        assert set(made) == {
            "attachment_id",
            "url",
            "thumb_url",
            "content_type",
            "width",
            "height",
            "frames",
            "bytes",
        }
        assert (made["content_type"], made["width"], made["height"], made["frames"]) == (
            "image/png",
            960,
            540,
            1,
        )
        image = await http.get(made["url"], headers=bearer(owner))
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png"
        assert image.headers["x-content-type-options"] == "nosniff"
        assert image.headers["content-security-policy"] == "default-src 'none'"
        assert image.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert len(image.content) == made["bytes"]
        thumb = await http.get(made["thumb_url"], headers=bearer(agent))
        assert (thumb.status_code, thumb.headers["content-type"]) == (200, "image/webp")
        by_cookie = await http.get(made["url"], headers={"Cookie": f"parley_session={agent}"})
        assert by_cookie.status_code == 200
        for headers in (bearer(stranger), bearer("forged"), None):
            for url in (made["url"], made["thumb_url"]):
                assert (await http.get(url, headers=headers)).status_code == 404
        assert (
            await upload(http, stranger, conversation_id, image_bytes("PNG"))
        ).status_code == 404
        assert (await upload(http, None, conversation_id, image_bytes("PNG"))).status_code == 401
        by_agent = await upload(
            http,
            agent,
            conversation_id,
            image_bytes("PNG"),
            source_attachment_id=made["attachment_id"],
        )
        assert by_agent.status_code == 201
        assert by_agent.json()["source_attachment_id"] == made["attachment_id"]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (image_bytes("JPEG"), 201),
        (image_bytes("WEBP"), 201),
        (animation_bytes("GIF", [100, 200]), 201),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415),
        (b"<html><script>alert(1)</script></html>", 415),
        (image_bytes("GIF")[:13] + b"<html><script>alert(1)</script></html>", 415),
        (b"plain text named screenshot.png", 415),
        (b"\0" * (MAX_BYTES + 1), 413),
        (image_bytes("PNG", (1001, 1000)), 413),
        (animation_bytes("GIF", [50] * 11, size=(4, 4)), 413),
        (png_header(100_000, 100_000), 413),
    ],
    ids=[
        "jpeg",
        "webp",
        "gif",
        "svg",
        "html",
        "polyglot",
        "text",
        "bytes",
        "pixels",
        "frames",
        "bomb",
    ],
)
async def test_types_and_limits(live_url: str, data: bytes, status: int) -> None:
    owner, conversation_id = await visitor_with_conversation(live_url)
    async with httpx.AsyncClient(base_url=live_url) as http:
        response = await upload(http, owner, conversation_id, data)
    assert response.status_code == status, response.text
    if status != 201:
        assert response.json()["error"]["message"]


async def test_an_attachment_is_sent_in_its_own_conversation_and_nowhere_else(
    live_url: str,
) -> None:
    owner, conversation_id = await visitor_with_conversation(live_url)
    async with httpx.AsyncClient(base_url=live_url) as http:
        made = (await upload(http, owner, conversation_id, image_bytes("PNG"))).json()

    other, _ = await visitor_with_conversation(live_url)
    thief, _ = await visitor_client(live_url, other)
    await thief.send(
        {
            "type": "message",
            "client_id": "steal",
            "text": "",
            "attachments": [made["attachment_id"]],
        }
    )
    refused = await thief.expect("error", ref="steal")
    assert refused["code"] == "unknown_attachment"
    await thief.close()

    visitor, _ = await visitor_client(live_url, owner)
    ack = await visitor.say("see attached", attachments=[made["attachment_id"]])
    message = await visitor.expect("message", seq=ack["seq"])
    assert message["attachments"] == [made]
    await visitor.close()


async def test_an_image_only_message_is_summed_up_for_the_agents_inbox(
    live_url: str, make_agent: Callable[..., Awaitable[str]]
) -> None:
    token = await agent_token(live_url, await make_agent(), PASSWORD)
    online, _ = await agent_client(live_url, token)
    owner, conversation_id = await visitor_with_conversation(live_url)
    async with httpx.AsyncClient(base_url=live_url) as http:
        made = (await upload(http, owner, conversation_id, image_bytes("PNG"))).json()
    visitor, _ = await visitor_client(live_url, owner)
    await visitor.send({"type": "handoff"})
    await visitor.expect("assigned")
    ack = await visitor.say("", attachments=[made["attachment_id"]])
    await online.expect("message", seq=ack["seq"])
    await visitor.close()
    await online.close()

    agent, welcome = await agent_client(live_url, token)
    await agent.close()
    (summary,) = [c for c in welcome["conversations"] if c["id"] == conversation_id]
    assert summary["last_message"]["text"] == ""
    assert summary["last_message"]["images"] == 1


async def test_a_plain_agent_reaches_only_the_attachments_of_conversations_they_may_read(
    live_url: str, make_agent: Callable[..., Awaitable[str]], settings: Settings
) -> None:
    """The socket's rule (``conversation.access``) holds over HTTP too: a conversation
    assigned to Tia is hers, her team's and the admins', not a plain agent's of another team."""
    owner, conversation_id = await visitor_with_conversation(live_url)
    tia = await agent_token(live_url, await make_agent("Tia"), PASSWORD)
    db = Database(settings.resolved_database_url)
    try:
        sales = await create_team(db, "Sales", None)
        await create_agent(
            db, email="oz@example.com", name="Oz", password=PASSWORD, team_ids=[sales.id]
        )
    finally:
        await db.close()
    oz = await agent_token(live_url, "oz@example.com", PASSWORD)
    boss = await agent_token(live_url, await make_agent("Boss", role="admin"), PASSWORD)
    async with httpx.AsyncClient(base_url=live_url) as http:
        made = (await upload(http, owner, conversation_id, image_bytes("PNG"))).json()
        taker, _ = await agent_client(live_url, tia)
        await taker.send({"type": "presence", "status": "away"})
        visitor, _ = await visitor_client(live_url, owner)
        await visitor.send({"type": "handoff"})
        await taker.send({"type": "accept", "conversation_id": conversation_id})
        await visitor.expect("assigned", conversation_id=conversation_id)
        for token, status in ((tia, 200), (boss, 200), (oz, 404)):
            assert (await http.get(made["url"], headers=bearer(token))).status_code == status
            assert (await http.get(made["thumb_url"], headers=bearer(token))).status_code == status
        added = await upload(http, oz, conversation_id, image_bytes("PNG"))
        assert added.status_code == 404
        assert (await upload(http, tia, conversation_id, image_bytes("PNG"))).status_code == 201
        for client in (taker, visitor):
            await client.close()
