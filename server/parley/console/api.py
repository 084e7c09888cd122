"""JSON endpoints only the console uses: who to transfer to, conversation search and labels
(saved replies: ``replies_api.py``).

Signed-in agents only; every write also needs the ``X-CSRF-Token`` header, because the
session cookie alone would let another site's form act for the agent.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.console import csrf, labels, store
from parley.conversation import access
from parley.conversation.store import Conversation
from parley.conversation.store import labels as conversation_labels
from parley.errors import BadRequest
from parley.identity import store as identity
from parley.identity.store import Agent
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import json_response, read_json_object, required_text

MAX_PAGE = 50
MAX_OFFSET = 10_000


async def agents_and_teams(request: Request) -> Response:
    """Who a conversation can be transferred to."""
    await require_agent(request)
    db = services(request).db
    agents = [a.public() for a in await identity.list_agents(db) if not a.disabled]
    teams = [{"id": t.id, "name": t.name} for t in await identity.list_teams(db)]
    return JSONResponse({"agents": agents, "teams": teams})


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number", code="invalid_search") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}", code="invalid_search")
    return value


async def search_conversations(request: Request) -> Response:
    """Conversations by visitor name, email or message text, label, status, visitor or exact
    email; only those the agent may read (the rule ``watch`` applies), newest activity first."""
    agent = await require_agent(request)
    params = request.query_params
    search = store.Search(
        text=params.get("q", ""),
        label=params.get("label") or None,
        status=params.get("status") or None,
        visitor_id=params.get("visitor") or None,
        email=params.get("email") or None,
        limit=_int_param(request, "limit", 20, 1, MAX_PAGE),
        offset=_int_param(request, "offset", 0, 0, MAX_OFFSET),
    )
    found = services(request)
    reader = await access.reader(found.db, agent.id, agent.role)
    page, more = await store.search_conversations(found.db, search, reader)
    return json_response(
        {
            "conversations": await found.conversations.summaries(page),
            "next_offset": search.offset + len(page) if more else None,
        }
    )


async def one_conversation(request: Request) -> Response:
    """One conversation's summary, if this agent may read it: what a link to it
    (``/console#conversation=<id>``, e.g. from the CSAT report) opens, resolved ones included."""
    agent = await require_agent(request)
    found = services(request)
    conversation = await found.lifecycle.conversation(request.path_params["conversation_id"])
    access.check_may_read(conversation, await access.reader(found.db, agent.id, agent.role))
    (summary,) = await found.conversations.summaries([conversation])
    return json_response({"conversation": summary})


async def list_labels(request: Request) -> Response:
    """The team's labels with their colours and usage: suggestions, chips, the inbox filter."""
    await require_agent(request)
    listed = await conversation_labels.list_labels(services(request).db)
    # "label" repeats "name": the shape this endpoint had before the list had colours.
    items = [{**label.public(), "label": label.name, "count": n} for label, n in listed]
    return JSONResponse({"labels": items})


async def _labelled_conversation(request: Request) -> tuple[Agent, Conversation]:
    """The conversation in the path, if this agent may read it: who may read may label."""
    agent = await csrf.writing_agent(request)
    found = services(request)
    conversation = await found.lifecycle.conversation(request.path_params["conversation_id"])
    access.check_may_read(conversation, await access.reader(found.db, agent.id, agent.role))
    return agent, conversation


async def _labels_changed(request: Request, conversation: Conversation) -> Response:
    """Every console hears of the change (a fresh summary); the visitor never does."""
    found = services(request)
    await found.conversations.announce_to_agents(conversation)
    on_it = await conversation_labels.labels_of(found.db, [conversation.id])
    return JSONResponse({"labels": on_it.get(conversation.id, [])})


async def add_label(request: Request) -> Response:
    """A name the team's list lacks joins it too, and every console hears the new list."""
    agent, conversation = await _labelled_conversation(request)
    body = await read_json_object(request)
    found = services(request)
    if await conversation_labels.add_label(
        found.db, conversation.id, required_text(body, "label"), created_by=agent.id
    ):
        await labels.announce(found)
    return await _labels_changed(request, conversation)


async def remove_label(request: Request) -> Response:
    _, conversation = await _labelled_conversation(request)
    await conversation_labels.remove_label(
        services(request).db, conversation.id, request.path_params["label"]
    )
    return await _labels_changed(request, conversation)


routes = [
    Route("/api/v1/console/agents", agents_and_teams, methods=["GET"]),
    Route("/api/v1/console/conversations", search_conversations, methods=["GET"]),
    Route("/api/v1/console/conversations/{conversation_id}", one_conversation, methods=["GET"]),
    Route("/api/v1/console/labels", list_labels, methods=["GET"]),
    Route("/api/v1/console/conversations/{conversation_id}/labels", add_label, methods=["POST"]),
    Route(
        "/api/v1/console/conversations/{conversation_id}/labels/{label}",
        remove_label,
        methods=["DELETE"],
    ),
]
