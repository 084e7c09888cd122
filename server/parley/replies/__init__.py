"""Saved replies: the team's, a team's or an agent's own canned answers, with tags, images and
GIFs sent with them, and placeholders filled in for the conversation's visitor.

Who sees a reply: everyone's replies (no owner, no team) every agent; a team's its members
(and admins); an agent's own only that agent. Who may change one: anyone who sees it, except a
team's reply, which only its members and admins change. Uses are counted from the
``agent_reply`` events that record the reply (``quality.store.experiments.reply_usage``), so a
reopen or an edit never changes them. A reply under A/B test inserts the conversation's drawn
variant (``quality.experiments``), placeholders filled in the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parley import clock
from parley.conversation.store import Conversation
from parley.db import Database
from parley.errors import BadRequest, NotFound
from parley.identity import store as identity
from parley.identity.store import Agent
from parley.library import clean_tags
from parley.media import MediaService, agent_party, public_json
from parley.quality import experiments
from parley.quality.store import experiments as usage_store
from parley.replies import placeholders, store
from parley.replies.store import Fields, SavedReply

_SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
MAX_TITLE = 200
MAX_BODY = 5000
MAX_ATTACHMENTS = 4
SCOPES = ("shared", "team", "personal")


@dataclass(frozen=True)
class Author:
    """An agent as the reply rules see them: their teams, and whether they are an admin."""

    agent: Agent
    team_ids: frozenset[str]  # the agent's teams
    all_team_ids: frozenset[str] = frozenset()  # every team there is (an admin may pick any)

    @property
    def is_admin(self) -> bool:
        return self.agent.role == "admin"


async def author(db: Database, agent: Agent) -> Author:
    teams = await identity.list_teams(db)
    mine = frozenset(t.id for t in teams if agent.id in t.member_ids)
    return Author(agent, mine, frozenset(t.id for t in teams))


def scope_of(reply: SavedReply) -> str:
    return "personal" if reply.owner_id else "team" if reply.team_id else "shared"


def may_see(reply: SavedReply, who: Author) -> bool:
    if reply.owner_id:
        return reply.owner_id == who.agent.id
    if reply.team_id:
        return who.is_admin or reply.team_id in who.team_ids
    return True


def public(reply: SavedReply, uses: int = 0) -> dict[str, Any]:
    return {
        "id": reply.id,
        "shortcut": reply.shortcut,
        "title": reply.title,
        "body": reply.body,
        "tags": list(reply.tags),
        "scope": scope_of(reply),
        "owner_id": reply.owner_id,
        "team_id": reply.team_id,
        "attachments": [public_json(row) for row in reply.attachments],
        "uses": uses,
        "created_by": reply.created_by,
        "created_at": clock.iso(reply.created_at),
        "updated_at": clock.iso(reply.updated_at),
    }


async def visible(
    db: Database, who: Author, *, tag: str | None = None, scope: str | None = None
) -> list[dict[str, Any]]:
    """The replies this agent sees, by shortcut, with their uses; ``tag`` and ``scope`` narrow."""
    if scope is not None and scope not in SCOPES:
        raise BadRequest(f"scope is one of {', '.join(SCOPES)}", code="invalid_scope")
    wanted = next(iter(clean_tags(tag)), None) if tag else None
    uses = await usage_store.reply_usage(db)
    return [
        public(reply, uses.get(reply.id, 0))
        for reply in await store.list_replies(db)
        if may_see(reply, who)
        and (wanted is None or wanted in reply.tags)
        and (scope is None or scope_of(reply) == scope)
    ]


async def reply_for(db: Database, reply_id: str, who: Author) -> SavedReply:
    """The reply if this agent sees it; another agent's own is a 404, as if it did not exist."""
    reply = await store.reply_by_id(db, reply_id)
    if not may_see(reply, who):
        raise NotFound("no such saved reply")
    return reply


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be text", code=f"invalid_{name}")
    return value


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(clean_tags(value))
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise BadRequest("tags must be a list of words", code="invalid_tags")
    if any("," in tag for tag in value):
        raise BadRequest("a tag cannot hold a comma", code="invalid_tags")
    return tuple(clean_tags(",".join(value)))


def _owner_and_team(
    body: Mapping[str, Any], who: Author, current: SavedReply | None
) -> tuple[str | None, str | None]:
    """(owner_id, team_id) from ``scope`` and ``team_id``; absent: as it was (new: everyone's)."""
    if "scope" not in body:
        return (current.owner_id, current.team_id) if current else (None, None)
    scope = body["scope"]
    if scope == "shared":
        return None, None
    if scope == "personal":
        return who.agent.id, None
    if scope == "team":
        team_id = body.get("team_id")
        allowed = who.all_team_ids if who.is_admin else who.team_ids
        if not isinstance(team_id, str) or team_id not in allowed:
            raise BadRequest("a team reply needs one of your teams", code="invalid_team")
        return None, team_id
    raise BadRequest(f"scope is one of {', '.join(SCOPES)}", code="invalid_scope")


def _fields(body: Mapping[str, Any], who: Author, current: SavedReply | None) -> Fields:
    shortcut = _text(body, "shortcut").strip().lstrip("/").lower()
    if not _SHORTCUT.match(shortcut):
        raise BadRequest("shortcut must be 1-60 of a-z, 0-9, - and _", code="invalid_shortcut")
    title = _text(body, "title").strip()
    if not title or len(title) > MAX_TITLE:
        raise BadRequest(f"title must be 1 to {MAX_TITLE} characters", code="invalid_title")
    text = _text(body, "body")
    if not text.strip() or len(text) > MAX_BODY:
        raise BadRequest(f"body must be 1 to {MAX_BODY} characters", code="invalid_body")
    placeholders.check(text)
    tags = _tags(body["tags"]) if "tags" in body else (current.tags if current else ())
    owner_id, team_id = _owner_and_team(body, who, current)
    if "attachment_ids" in body:
        ids = body["attachment_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise BadRequest("attachment_ids must be a list of ids", code="invalid_attachment")
        if len(ids) > MAX_ATTACHMENTS or len(set(ids)) != len(ids):
            raise BadRequest(
                f"at most {MAX_ATTACHMENTS} different images", code="invalid_attachment"
            )
        attachment_ids = tuple(ids)
    else:
        attachment_ids = tuple(row["id"] for row in current.attachments) if current else ()
    return Fields(shortcut, title, text, tags, owner_id, team_id, attachment_ids)


async def _own_attachments(
    db: Database, media: MediaService, fields: Fields, who: Author, current: SavedReply | None
) -> tuple[Fields, list[str]]:
    """The reply's own attachment rows for ``fields`` (an upload nobody holds is taken as it
    is; a library item's picture or another reply's is copied, sharing its stored files), and
    the copies made, to remove again if saving fails."""
    kept = {row["id"] for row in current.attachments} if current else set()
    new = [i for i in fields.attachment_ids if i not in kept]
    for attachment_id in new:
        if await media.unbound(attachment_id) is None:
            raise BadRequest(
                "attachments must be images uploaded for saved replies or from the library",
                code="invalid_attachment",
            )
    shared = await store.held_elsewhere(db, new, current.id if current else None)
    party = await agent_party(db, who.agent)
    copies: dict[str, str] = {}
    for attachment_id in new:
        if attachment_id in shared:
            copies[attachment_id] = (await media.copy_unbound(attachment_id, party))["id"]
    own = tuple(copies.get(i, i) for i in fields.attachment_ids)
    return Fields(**{**fields.__dict__, "attachment_ids": own}), list(copies.values())


async def _saved(
    db: Database, media: MediaService, fields: Fields, who: Author, current: SavedReply | None
) -> SavedReply:
    fields, copies = await _own_attachments(db, media, fields, who, current)
    try:
        if current is None:
            reply = await store.create_reply(db, fields, created_by=who.agent.id)
        else:
            reply = await store.update_reply(db, current.id, fields)
    except BaseException:
        for copy in copies:
            await media.remove(copy)
        raise
    if current is not None:
        for row in current.attachments:
            if row["id"] not in fields.attachment_ids:
                await media.remove(row["id"])
    return reply


def _check_may_change(reply: SavedReply, who: Author) -> None:
    if reply.team_id and not (who.is_admin or reply.team_id in who.team_ids):
        raise NotFound("no such saved reply")


async def create(
    db: Database, media: MediaService, who: Author, body: Mapping[str, Any]
) -> dict[str, Any]:
    return public(await _saved(db, media, _fields(body, who, None), who, None))


async def update(
    db: Database, media: MediaService, who: Author, reply_id: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    current = await reply_for(db, reply_id, who)
    _check_may_change(current, who)
    reply = await _saved(db, media, _fields(body, who, current), who, current)
    return public(reply, (await usage_store.reply_usage(db)).get(reply.id, 0))


async def delete(db: Database, media: MediaService, who: Author, reply_id: str) -> None:
    current = await reply_for(db, reply_id, who)
    _check_may_change(current, who)
    await store.delete_reply(db, reply_id)
    for row in current.attachments:
        await media.remove(row["id"])


# --- using a reply in a conversation ------------------------------------------------------------


async def people(db: Database, conversation: Conversation, agent: Agent) -> placeholders.People:
    visitor = await identity.visitor_by_id(db, conversation.visitor_id)
    return placeholders.People(
        visitor_name=visitor.name if visitor else None,
        visitor_email=visitor.email if visitor else None,
        attributes=dict(visitor.attributes) if visitor else {},
        agent_name=agent.name,
    )


async def filled(
    db: Database,
    media: MediaService,
    reply: SavedReply,
    conversation: Conversation,
    agent: Agent,
    *,
    copy: bool,
) -> dict[str, Any]:
    """The reply as it goes to this conversation's visitor: its drawn variant (sticky) with the
    placeholders filled, and its images. ``copy``: the images copied into the conversation for
    the message to carry (inserting); else the reply's own, which only agents read (preview)."""
    drawn = await experiments.draw(db, reply.id, reply.body, conversation.id)
    text = placeholders.render(drawn.body, await people(db, conversation, agent))
    if copy:
        party = await agent_party(db, agent)
        shown = [
            await media.copy_to_conversation(row["id"], conversation.id, party)
            for row in reply.attachments
        ]
    else:
        shown = [public_json(row) for row in reply.attachments]
    return {
        "saved_reply_id": reply.id,
        "experiment_id": drawn.experiment_id,
        "variant": drawn.variant,
        "label": None if drawn.variant is None else experiments.label(drawn.variant),
        "text": text,
        "attachments": shown,
    }
