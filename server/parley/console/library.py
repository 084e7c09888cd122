"""``/api/v1/console/library``: the team's GIF and image library, for signed-in agents only.

Every write needs the ``X-CSRF-Token`` header as well as the session (see ``console/api.py``);
visitor tokens are not agent tokens, so a visitor gets 401 everywhere here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import library
from parley.console import csrf
from parley.conversation import access
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import read_json_object, required_text


async def list_items(request: Request) -> Response:
    await require_agent(request)
    query = request.query_params.get("q", "")[:200]  # a search, not a document
    items = await library.search(services(request).db, query)
    return JSONResponse({"items": items})


async def upload(request: Request) -> Response:
    """Multipart ``file``, ``title``, ``tags`` (comma-separated): the upload pipeline's limits."""
    agent = await csrf.writing_agent(request)
    found = services(request)
    async with found.media.receive(
        request.stream(), request.headers.get("content-type", "")
    ) as form:
        item = await library.upload(found.db, found.media, form, agent)
    return JSONResponse(item, status_code=201)


async def send(request: Request) -> Response:
    """``{"conversation_id"}`` → the copy to put in a message, and the item's new use count."""
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    conversation_id = required_text(body, "conversation_id")
    # Refused before the copy is made, so a refused send neither copies nor counts a use.
    conversation = await found.lifecycle.conversation(conversation_id)
    access.check_may_act(conversation, agent.id, agent.role)
    sent = await library.send(
        found.db, found.media, request.path_params["item_id"], conversation_id, agent
    )
    return JSONResponse(sent, status_code=201)


async def delete(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    found = services(request)
    await library.delete(found.db, found.media, request.path_params["item_id"], agent)
    return Response(status_code=204)


routes = [
    Route("/api/v1/console/library", list_items, methods=["GET"]),
    Route("/api/v1/console/library", upload, methods=["POST"]),
    Route("/api/v1/console/library/{item_id}/send", send, methods=["POST"]),
    Route("/api/v1/console/library/{item_id}", delete, methods=["DELETE"]),
]
