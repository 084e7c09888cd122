"""The GIF library over a real database: upload, search, send a conversation-bound copy,
count uses, delete; who may read the original and who may read the copy."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from parley import library
from parley.bus.memory import MemoryBus
from parley.conversation.service import ConversationService
from parley.db import Database
from parley.db.schema import attachments
from parley.errors import BadRequest, Forbidden, NotFound, UnsupportedMediaType
from parley.identity.agents import create_agent
from parley.identity.store import Agent
from parley.media import Party
from tests.conftest import PASSWORD
from tests.media import animation_bytes, image_bytes, media_service, received_form
from tests.support.factories import new_conversation

T = TypeVar("T")


async def agent(db: Database, name: str, role: str = "agent") -> Agent:
    return await create_agent(
        db, email=f"{name}@example.com", name=name, password=PASSWORD, role=role
    )


def stored_files(tmp_path: Path) -> list[Path]:
    return [path for path in (tmp_path / "files").rglob("*") if path.is_file()]


def test_tags_are_cleaned_and_limited() -> None:
    assert library.clean_tags(" Cache, browser ,cache,, Dark  Mode") == [
        "cache",
        "browser",
        "dark mode",
    ]
    assert library.clean_tags("") == []
    with pytest.raises(BadRequest):
        library.clean_tags(",".join(f"t{n}" for n in range(library.MAX_TAGS + 1)))
    with pytest.raises(BadRequest):
        library.clean_title("   ")


def test_search_matches_word_prefixes_of_title_and_tags() -> None:
    row = {"title": "Clear the browser cache", "tags": ["safari", "dark mode"]}
    assert library.matches(row, "")
    assert library.matches(row, "clear CACH")
    assert library.matches(row, "saf")
    assert library.matches(row, "dark mo")
    assert not library.matches(row, "clear invoice")
    assert not library.matches(row, "ache")  # inside a word is not a match


async def test_send_makes_a_copy_for_the_conversation_and_counts_it(
    db: Database, tmp_path: Path
) -> None:
    media = media_service(db, tmp_path, max_frames=50)
    ann = await agent(db, "ann")
    gif = animation_bytes("GIF", [100, 100, 100])
    item = await library.upload(
        db, media, received_form(tmp_path, gif, title="Clear the cache", tags="browser, cache"), ann
    )
    await library.upload(
        db, media, received_form(tmp_path, image_bytes("PNG"), title="Billing page", tags=""), ann
    )
    assert item["tags"] == ["browser", "cache"]
    assert item["attachment"]["frames"] == 3
    assert [i["title"] for i in await library.search(db, "cach")] == ["Clear the cache"]
    assert len(await library.search(db)) == 2

    conversation = await new_conversation(db)
    visitor = Party("visitor", conversation.visitor_id)
    original_id = item["attachment"]["attachment_id"]
    with pytest.raises(NotFound):  # the library's original is for agents only
        await media.fetch(original_id, visitor, thumb=False)
    conversations = ConversationService(db, MemoryBus())
    with pytest.raises(BadRequest, match="uploaded to this conversation"):
        await conversations.post(
            conversation.id,
            author_kind="visitor",
            author_id=conversation.visitor_id,
            author_name=None,
            text="",
            attachment_ids=[original_id],
        )

    sent = await library.send(db, media, item["id"], conversation.id, ann)
    copy = sent["attachment"]
    assert copy["attachment_id"] != original_id
    assert sent["item"]["uses"] == 1
    fetched = await media.fetch(copy["attachment_id"], visitor, thumb=False)
    assert fetched.content_type == "image/gif"
    assert (
        fetched.data == (await media.fetch(original_id, Party("agent", ann.id), thumb=False)).data
    )
    posted = await conversations.post(
        conversation.id,
        author_kind="agent",
        author_id=ann.id,
        author_name="ann",
        text="",
        attachment_ids=[copy["attachment_id"]],
    )
    assert posted.message.attachment_ids == [copy["attachment_id"]]
    stranger = await new_conversation(db)
    with pytest.raises(NotFound):
        await media.fetch(copy["attachment_id"], Party("visitor", stranger.visitor_id), thumb=True)

    await library.send(db, media, item["id"], stranger.id, ann)
    assert [i["uses"] for i in await library.search(db)] == [2, 0]  # most used first
    with pytest.raises(NotFound):
        await library.send(db, media, "lib_missing", conversation.id, ann)
    with pytest.raises(NotFound):
        await library.send(db, media, item["id"], "cnv_missing", ann)


async def test_only_the_creator_or_an_admin_deletes_and_sent_copies_survive(
    db: Database, tmp_path: Path
) -> None:
    media = media_service(db, tmp_path, max_frames=50)
    ann, bob, admin = await agent(db, "ann"), await agent(db, "bob"), await agent(db, "ad", "admin")
    png = image_bytes("PNG", (60, 40))
    kept = await library.upload(db, media, received_form(tmp_path, png, title="Sent once"), ann)
    unsent = await library.upload(db, media, received_form(tmp_path, png, title="Never sent"), ann)
    assert len(stored_files(tmp_path)) == 4  # image + thumbnail each
    conversation = await new_conversation(db)
    copy = (await library.send(db, media, kept["id"], conversation.id, ann))["attachment"]

    with pytest.raises(Forbidden):
        await library.delete(db, media, kept["id"], bob)
    await library.delete(db, media, kept["id"], admin)
    await library.delete(db, media, unsent["id"], ann)
    assert await library.search(db) == []
    with pytest.raises(NotFound):
        await library.delete(db, media, kept["id"], admin)
    with pytest.raises(NotFound):
        await media.fetch(kept["attachment"]["attachment_id"], Party("agent", ann.id), thumb=False)
    visitor = Party("visitor", conversation.visitor_id)
    assert (await media.fetch(copy["attachment_id"], visitor, thumb=True)).data
    assert len(stored_files(tmp_path)) == 2  # the unsent item's files are gone, the copy's stay


async def test_a_bad_title_or_a_non_image_stores_nothing(db: Database, tmp_path: Path) -> None:
    media = media_service(db, tmp_path, max_frames=50)
    ann = await agent(db, "ann")
    with pytest.raises(BadRequest, match="title"):
        await library.upload(db, media, received_form(tmp_path, image_bytes("PNG"), title=" "), ann)
    with pytest.raises(UnsupportedMediaType):
        await library.upload(db, media, received_form(tmp_path, b"<svg/>", title="Logo"), ann)
    assert await library.search(db) == []
    assert stored_files(tmp_path) == []
    with pytest.raises(NotFound):  # visitors never upload to the library
        await media.upload_unbound(
            received_form(tmp_path, image_bytes("PNG")), Party("visitor", "vis_x")
        )


async def later(seconds: float, action: Awaitable[T]) -> T:
    await asyncio.sleep(seconds)
    return await action


async def copies_in(db: Database, conversation_id: str) -> int:
    async with db.read() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(attachments)
            .where(attachments.c.conversation_id == conversation_id)
        )
    return int(count or 0)


async def test_a_send_racing_a_delete_sends_a_whole_copy_or_nothing(
    db: Database, tmp_path: Path
) -> None:
    media = media_service(db, tmp_path, max_frames=50)
    ann = await agent(db, "ann")
    conversation = await new_conversation(db)
    visitor = Party("visitor", conversation.visitor_id)
    png = image_bytes("PNG", (60, 40))
    copies = 0
    for step in range(-30, 30):  # one starts 0 to 3 ms after the other, either way round
        item = await library.upload(db, media, received_form(tmp_path, png, title="Racy"), ann)
        sent, _deleted = await asyncio.gather(
            later(max(0, -step) * 1e-4, library.send(db, media, item["id"], conversation.id, ann)),
            later(max(0, step) * 1e-4, library.delete(db, media, item["id"], ann)),
            return_exceptions=True,
        )
        if isinstance(sent, NotFound):  # the delete won: nothing was sent, nothing copied
            assert await copies_in(db, conversation.id) == copies
            continue
        assert isinstance(sent, dict), sent
        copies += 1
        assert await copies_in(db, conversation.id) == copies
        copy = sent["attachment"]["attachment_id"]
        assert (await media.fetch(copy, visitor, thumb=False)).data
        assert (await media.fetch(copy, visitor, thumb=True)).data
