"""Saved replies grown up, on SQLite and PostgreSQL: everyone's, a team's and an agent's own;
tags; images kept by the reply and copied into the conversation it is inserted in; placeholders
filled for the conversation's visitor (A/B variants too); uses counted from the event log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from parley import library, replies
from parley.errors import BadRequest, NotFound
from parley.identity import store as identity_store
from parley.identity.store import Agent, Visitor
from parley.media import MediaService, Party
from parley.quality import experiments
from tests.media import animation_bytes, image_bytes, media_service, received_form
from tests.quality.conftest import Desk

NewAgent = Callable[[str], Awaitable[Agent]]


@pytest.fixture
def media(desk: Desk, tmp_path: Path) -> MediaService:
    return media_service(desk.db, tmp_path, max_frames=50)


REPLY = {"shortcut": "plan", "title": "Your plan", "body": "Hi {{visitor.first_name}}"}


async def _visitor(desk: Desk, attributes: dict[str, Any]) -> Visitor:
    return await identity_store.insert_visitor(
        desk.db,
        name="Vera Novak",
        email=None,
        locale="en",
        page_url=None,
        referrer=None,
        user_agent=None,
        attributes=attributes,
        user_id=None,
        verified=False,
    )


async def _team_with(desk: Desk, name: str, *members: Agent) -> str:
    team = await identity_store.create_team(desk.db, name, None)
    for member in members:
        await identity_store.add_team_member(desk.db, team.id, member.id)
    return team.id


async def test_who_sees_and_changes_which_reply(
    desk: Desk, new_agent: NewAgent, media: MediaService
) -> None:
    db = desk.db
    ann, bob = await new_agent("Ann"), await new_agent("Bob")
    admin = await identity_store.insert_agent(
        db, email="ad@example.com", name="Ad", password_hash="x", role="admin"
    )
    billing = await _team_with(desk, "Billing", ann)
    as_ann, as_bob, as_admin = [await replies.author(db, a) for a in (ann, bob, admin)]
    shared = await replies.create(db, media, as_ann, {**REPLY, "shortcut": "hi"})
    team = await replies.create(
        db,
        media,
        as_ann,
        {**REPLY, "shortcut": "invoice", "scope": "team", "team_id": billing, "tags": ["Billing"]},
    )
    own = await replies.create(
        db, media, as_ann, {**REPLY, "shortcut": "mine", "scope": "personal"}
    )
    assert (shared["scope"], team["scope"], own["scope"]) == ("shared", "team", "personal")

    def shortcuts(found: list[dict[str, Any]]) -> list[str]:
        return [r["shortcut"] for r in found]

    assert shortcuts(await replies.visible(db, as_ann)) == ["hi", "invoice", "mine"]
    assert shortcuts(await replies.visible(db, as_bob)) == ["hi"]
    assert shortcuts(await replies.visible(db, as_admin)) == ["hi", "invoice"]
    assert shortcuts(await replies.visible(db, as_ann, tag=" BILLING ")) == ["invoice"]
    assert shortcuts(await replies.visible(db, as_ann, scope="personal")) == ["mine"]

    with pytest.raises(NotFound):  # another agent's own reply does not exist for Bob
        await replies.update(db, media, as_bob, own["id"], REPLY)
    with pytest.raises(NotFound):
        await replies.delete(db, media, as_bob, team["id"])
    with pytest.raises(BadRequest, match="one of your teams"):  # a team that does not exist
        await replies.create(db, media, as_admin, {**REPLY, "scope": "team", "team_id": "team_x"})
    with pytest.raises(BadRequest, match="one of your teams"):
        await replies.create(db, media, as_bob, {**REPLY, "scope": "team", "team_id": billing})
    # The old body (no scope, tags or images) changes the text and keeps the rest.
    kept = await replies.update(
        db,
        media,
        as_admin,
        team["id"],
        {"shortcut": "invoice", "title": "Invoice", "body": "Attached."},
    )
    assert (kept["scope"], kept["team_id"], kept["tags"], kept["body"]) == (
        "team",
        billing,
        ["billing"],
        "Attached.",
    )
    with pytest.raises(BadRequest) as bad:
        await replies.create(db, media, as_ann, {**REPLY, "body": "Hi {{ visitor.nick }}"})
    assert bad.value.code == "invalid_template"
    assert shortcuts(await replies.visible(db, as_ann)) == ["hi", "invoice", "mine"]


async def test_images_are_the_replys_own_and_copied_into_the_conversation(
    desk: Desk, new_agent: NewAgent, media: MediaService, tmp_path: Path
) -> None:
    db = desk.db
    ann = await new_agent("Ann")
    who = await replies.author(db, ann)
    agent = Party("agent", ann.id)
    upload = await media.upload_unbound(received_form(tmp_path, image_bytes("PNG")), agent)
    gif = await library.upload(
        db,
        media,
        received_form(tmp_path, animation_bytes("GIF", [80, 80]), title="Cache", tags=""),
        ann,
    )
    library_original = gif["attachment"]["attachment_id"]
    reply = await replies.create(
        db,
        media,
        who,
        {**REPLY, "attachment_ids": [upload["attachment_id"], library_original]},
    )
    held = [a["attachment_id"] for a in reply["attachments"]]
    assert held[0] == upload["attachment_id"]  # an upload nobody holds is taken as it is
    assert held[1] != library_original  # the library's picture is copied
    assert reply["attachments"][1]["frames"] == 2
    await library.delete(db, media, gif["id"], ann)  # the reply's copy outlives the item
    visitor = await _visitor(desk, {})
    conversation = (await desk.life.open_for(visitor, team=None)).conversation
    loaded = await replies.reply_for(db, reply["id"], who)

    preview = await replies.filled(db, media, loaded, conversation, ann, copy=False)
    assert [a["attachment_id"] for a in preview["attachments"]] == held
    inserted = await replies.filled(db, media, loaded, conversation, ann, copy=True)
    copies = [a["attachment_id"] for a in inserted["attachments"]]
    assert inserted["text"] == "Hi Vera"
    assert not set(copies) & set(held)
    sent = await desk.life.agent_says(
        conversation.id,
        ann,
        text=inserted["text"],
        client_id="c1",
        attachment_ids=copies,
        internal=False,
        reply_use={"saved_reply": reply["id"]},
    )
    assert sent.message.attachment_ids == copies
    seen = await media.fetch(copies[1], Party("visitor", visitor.id), thumb=False)
    assert seen.content_type == "image/gif"

    with pytest.raises(BadRequest) as bad:  # a conversation's attachment is not a reply's
        await replies.update(db, media, who, reply["id"], {**REPLY, "attachment_ids": copies[:1]})
    assert bad.value.code == "invalid_attachment"
    trimmed = await replies.update(
        db, media, who, reply["id"], {**REPLY, "attachment_ids": held[1:]}
    )
    assert [a["attachment_id"] for a in trimmed["attachments"]] == held[1:]
    assert await media.unbound(held[0]) is None  # dropped from the reply: gone
    assert trimmed["uses"] == 1  # from the agent_reply event
    await replies.delete(db, media, who, reply["id"])
    assert await media.unbound(held[1]) is None
    still = await media.fetch(copies[1], Party("visitor", visitor.id), thumb=False)
    assert still.data == seen.data  # what was sent stays readable


async def test_placeholders_are_filled_for_the_visitor_in_every_variant(
    desk: Desk, new_agent: NewAgent, media: MediaService
) -> None:
    db = desk.db
    ann = await new_agent("Ann Smith")
    who = await replies.author(db, ann)
    body = 'Your {{ visitor.attributes.plan | default("current") }} plan, {{visitor.first_name}}.'
    reply = await replies.create(db, media, who, {**REPLY, "body": body})
    variants = [
        body,
        "{{agent.first_name}} here: {{visitor.attributes.plan | default('your plan')}}.",
    ]
    await experiments.start(db, reply["id"], variants, ann.id)
    loaded = await replies.reply_for(db, reply["id"], who)
    pro = await _visitor(desk, {"plan": "Pro"})
    unknown = await _visitor(desk, {})
    texts = {}
    for visitor in (pro, unknown):
        conversation = (await desk.life.open_for(visitor, team=None)).conversation
        first = await replies.filled(db, media, loaded, conversation, ann, copy=False)
        again = await replies.filled(db, media, loaded, conversation, ann, copy=False)
        assert (again["variant"], again["text"]) == (first["variant"], first["text"])  # sticky
        texts[visitor.id] = (first["variant"], first["text"])
    expected = {
        (0, pro.id): "Your Pro plan, Vera.",
        (1, pro.id): "Ann here: Pro.",
        (0, unknown.id): "Your current plan, Vera.",
        (1, unknown.id): "Ann here: your plan.",
    }
    for visitor_id, (variant, text) in texts.items():
        assert text == expected[(variant, visitor_id)]
