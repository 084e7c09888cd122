"""``/api/v1/console/saved-replies``: the saved replies an agent sees (the team's, their teams'
and their own), with tags, images and uses; a reply's images uploaded; a reply filled in for a
conversation's visitor to preview, or to insert with copies of its images (docs/console.md).

Signed-in agents only; every write needs the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import replies
from parley.console import csrf
from parley.conversation import access
from parley.conversation.store import Conversation
from parley.identity.store import Agent
from parley.media import agent_party
from parley.replies import placeholders
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import optional_text, read_json_object, required_text

URL = "/api/v1/console/saved-replies"


async def list_saved_replies(request: Request) -> Response:
    """``?tag=`` and ``?scope=`` (shared, team, personal) narrow the list."""
    agent = await require_agent(request)
    db = services(request).db
    found = await replies.visible(
        db,
        await replies.author(db, agent),
        tag=request.query_params.get("tag") or None,
        scope=request.query_params.get("scope") or None,
    )
    return JSONResponse({"saved_replies": found})


async def create_saved_reply(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    who = await replies.author(found.db, agent)
    return JSONResponse(await replies.create(found.db, found.media, who, body), status_code=201)


async def update_saved_reply(request: Request) -> Response:
    """The old body (shortcut, title, text) still works: what it leaves out stays as it was."""
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    who = await replies.author(found.db, agent)
    reply_id = request.path_params["reply_id"]
    return JSONResponse(await replies.update(found.db, found.media, who, reply_id, body))


async def delete_saved_reply(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    found = services(request)
    who = await replies.author(found.db, agent)
    await replies.delete(found.db, found.media, who, request.path_params["reply_id"])
    return Response(status_code=204)


async def upload_attachment(request: Request) -> Response:
    """Multipart ``file``: an image for a reply (the upload pipeline's checks and limits), bound
    to no conversation until a reply is inserted; its id goes in the reply's ``attachment_ids``."""
    agent = await csrf.writing_agent(request)
    found = services(request)
    async with found.media.receive(
        request.stream(), request.headers.get("content-type", "")
    ) as form:
        stored = await found.media.upload_unbound(form, await agent_party(found.db, agent))
    return JSONResponse(stored, status_code=201)


async def _conversation(request: Request, agent: Agent, conversation_id: str) -> Conversation:
    found = services(request)
    conversation = await found.lifecycle.conversation(conversation_id)
    access.check_may_read(conversation, await access.reader(found.db, agent.id, agent.role))
    return conversation


async def _filled(request: Request, *, copy: bool) -> Response:
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    conversation = await _conversation(request, agent, required_text(body, "conversation_id"))
    if copy:  # the copies are the conversation's: only who may act in it makes them
        access.check_may_act(conversation, agent.id, agent.role)
    who = await replies.author(found.db, agent)
    reply = await replies.reply_for(found.db, request.path_params["reply_id"], who)
    return JSONResponse(
        await replies.filled(found.db, found.media, reply, conversation, agent, copy=copy)
    )


async def preview(request: Request) -> Response:
    """``{conversation_id}`` → the text this visitor would get (the conversation's variant while
    the reply is under test) and the reply's images, before anything is sent."""
    return await _filled(request, copy=False)


async def insert(request: Request) -> Response:
    """``{conversation_id}`` → the same text, and copies of the images in the conversation for
    the message that sends the reply to carry."""
    return await _filled(request, copy=True)


async def render_draft(request: Request) -> Response:
    """``{body, conversation_id?}`` → a text being written, filled in for that conversation's
    visitor (or for nobody known: every fallback), so the editor shows what it will say."""
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    db = services(request).db
    conversation_id = optional_text(body, "conversation_id")
    if conversation_id:
        conversation = await _conversation(request, agent, conversation_id)
        people = await replies.people(db, conversation, agent)
    else:
        people = placeholders.People(None, None, {}, agent.name)
    return JSONResponse({"text": placeholders.render(required_text(body, "body"), people)})


routes = [
    Route(URL, list_saved_replies, methods=["GET"]),
    Route(URL, create_saved_reply, methods=["POST"]),
    Route(f"{URL}/attachments", upload_attachment, methods=["POST"]),
    Route(f"{URL}/preview", render_draft, methods=["POST"]),
    Route(f"{URL}/{{reply_id}}", update_saved_reply, methods=["PUT"]),
    Route(f"{URL}/{{reply_id}}", delete_saved_reply, methods=["DELETE"]),
    Route(f"{URL}/{{reply_id}}/preview", preview, methods=["POST"]),
    Route(f"{URL}/{{reply_id}}/insert", insert, methods=["POST"]),
]
