"""A visitor's own conversations over HTTP: the list, and one conversation's messages.

Extension of the contract (docs/protocol.md): lets the widget show earlier conversations,
including those of a verified user on another device. A visitor token reads exactly its own.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from parley.conversation import store
from parley.conversation.protocol import MAX_SEQ
from parley.errors import BadRequest, NotFound
from parley.services import services
from parley.web.auth import require_visitor_id
from parley.web.json import json_response


async def list_conversations(request: Request) -> Response:
    visitor_id = require_visitor_id(request)
    found = services(request)
    mine = await store.conversations_of_visitor(found.db, visitor_id)
    shown = await found.conversations.visitor_conversations(mine)
    return json_response({"conversations": shown})


async def conversation_messages(request: Request) -> Response:
    visitor_id = require_visitor_id(request)
    found = services(request)
    conversation = await store.conversation_by_id(found.db, request.path_params["conversation_id"])
    if conversation is None or conversation.visitor_id != visitor_id:
        raise NotFound("no such conversation")  # never reveal someone else's exists
    try:
        after = int(request.query_params.get("after_seq", "0"))
    except ValueError:
        raise BadRequest("after_seq must be a whole number") from None
    if not 0 <= after <= MAX_SEQ:
        raise BadRequest(f"after_seq must be between 0 and {MAX_SEQ}")
    replay = await found.conversations.replay(conversation.id, after, include_internal=False)
    frames = b",".join(frame for _, frame in replay)
    body = b'{"conversation_id":"' + conversation.id.encode() + b'","messages":[' + frames + b"]}"
    return Response(body, media_type="application/json")


routes = [
    Route("/api/v1/conversations", list_conversations, methods=["GET"]),
    Route(
        "/api/v1/conversations/{conversation_id}/messages", conversation_messages, methods=["GET"]
    ),
]
