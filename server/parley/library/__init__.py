"""The team's library of GIFs and images: upload with a title and tags, search, send, delete.

An item's picture is an attachment that belongs to no conversation, so only agents can read it
and no message can carry it. Sending an item makes a copy bound to the conversation (a new
attachment row over the same stored files): the visitor reads the copy, never the original.
"""

from __future__ import annotations

import re
from typing import Any

from parley import clock
from parley.db import Database
from parley.errors import BadRequest, Forbidden, NotFound
from parley.identity.store import Agent
from parley.library import store
from parley.media import MediaService, agent_party
from parley.media.uploads import ReceivedForm

MAX_TITLE = 200
MAX_TAGS = 12
MAX_TAG = 40
_WORDS = re.compile(r"\w+")


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise BadRequest(f"title must be 1 to {MAX_TITLE} characters", code="invalid_title")
    return title


def clean_tags(text: str) -> list[str]:
    """Comma-separated words → lowercase tags, each once, in the order typed."""
    tags = list(dict.fromkeys(" ".join(t.split()).lower() for t in text.split(",")))
    tags = [tag for tag in tags if tag]
    if len(tags) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in tags):
        raise BadRequest(
            f"at most {MAX_TAGS} tags of at most {MAX_TAG} characters", code="invalid_tags"
        )
    return tags


def item_json(row: dict[str, Any]) -> dict[str, Any]:
    attachment_id = row["attachment_id"]
    return {
        "id": row["id"],
        "title": row["title"],
        "tags": list(row["tags"]),
        "uses": row["uses"],
        "created_by": row["created_by"],
        "created_at": clock.iso(clock.as_utc(row["created_at"])),
        "attachment": {
            "attachment_id": attachment_id,
            "url": f"/api/v1/attachments/{attachment_id}",
            "thumb_url": f"/api/v1/attachments/{attachment_id}/thumb",
            "content_type": row["content_type"],
            "width": row["width"],
            "height": row["height"],
            "frames": row["frames"],
        },
    }


def matches(row: dict[str, Any], query: str) -> bool:
    """Every word typed starts a word of the title or of a tag ("dark mo" finds "Dark mode")."""
    words = set(_WORDS.findall(" ".join([row["title"], *row["tags"]]).lower()))
    return all(any(w.startswith(typed) for w in words) for typed in _WORDS.findall(query.lower()))


async def search(db: Database, query: str = "") -> list[dict[str, Any]]:
    """Items matching ``query`` (all of them for an empty one), most used first."""
    return [item_json(row) for row in await store.all_items(db) if matches(row, query)]


async def upload(
    db: Database, media: MediaService, form: ReceivedForm, agent: Agent
) -> dict[str, Any]:
    """Check the title and tags first, so a bad form stores nothing; then the media pipeline."""
    title = clean_title(form.fields.get("title", ""))
    tags = clean_tags(form.fields.get("tags", ""))
    attachment = await media.upload_unbound(form, await agent_party(db, agent))
    try:
        item_id = await store.insert_item(
            db,
            attachment_id=attachment["attachment_id"],
            title=title,
            tags=tags,
            created_by=agent.id,
        )
    except BaseException:
        await media.remove(attachment["attachment_id"])
        raise
    return await _item(db, item_id)


async def send(
    db: Database, media: MediaService, item_id: str, conversation_id: str, agent: Agent
) -> dict[str, Any]:
    """A copy of the item's picture in the conversation (for a message to carry), one more use.
    A delete at the same moment either wins (NotFound, nothing copied) or keeps the files the
    copy shares (``MediaService.copy_to_conversation``)."""
    row = await store.item_by_id(db, item_id)
    if row is None:
        raise NotFound("no such library item")
    copy = await media.copy_to_conversation(
        row["attachment_id"], conversation_id, await agent_party(db, agent)
    )
    # The copy stands even if the item is deleted from here on: answer with what was sent.
    uses = await store.count_use(db, item_id)
    return {"attachment": copy, "item": item_json({**row, "uses": uses or row["uses"] + 1})}


async def delete(db: Database, media: MediaService, item_id: str, agent: Agent) -> None:
    """Admins and the agent who added it may delete; copies already sent stay readable."""
    row = await store.item_by_id(db, item_id)
    if row is None:
        raise NotFound("no such library item")
    if agent.role != "admin" and row["created_by"] != agent.id:
        raise Forbidden("only an admin or the agent who added it may delete it")
    await store.delete_item(db, item_id)
    await media.remove(row["attachment_id"])


async def _item(db: Database, item_id: str) -> dict[str, Any]:
    row = await store.item_by_id(db, item_id)
    if row is None:
        raise NotFound("no such library item")
    return item_json(row)
