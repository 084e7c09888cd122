"""JSON endpoints only the console uses: who to transfer to, and saved replies.

Signed-in agents only; every write also needs the ``X-CSRF-Token`` header, because the
session cookie alone would let another site's form act for the agent.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.api.auth import require_agent
from parley.api.json import read_json_object, required_text
from parley.console import csrf, store
from parley.identity import store as identity
from parley.identity.store import Agent
from parley.services import services


async def _writer(request: Request) -> Agent:
    agent = await require_agent(request)
    csrf.verify_header(request)
    return agent


async def agents_and_teams(request: Request) -> Response:
    """Who a conversation can be transferred to."""
    await require_agent(request)
    db = services(request).db
    agents = [a.public() for a in await identity.list_agents(db) if not a.disabled]
    teams = [{"id": t.id, "name": t.name} for t in await identity.list_teams(db)]
    return JSONResponse({"agents": agents, "teams": teams})


async def list_saved_replies(request: Request) -> Response:
    await require_agent(request)
    replies = await store.list_replies(services(request).db)
    return JSONResponse({"saved_replies": [reply.public() for reply in replies]})


async def create_saved_reply(request: Request) -> Response:
    agent = await _writer(request)
    body = await read_json_object(request)
    reply = await store.create_reply(
        services(request).db,
        shortcut=required_text(body, "shortcut"),
        title=required_text(body, "title"),
        body=required_text(body, "body"),
        created_by=agent.id,
    )
    return JSONResponse(reply.public(), status_code=201)


async def update_saved_reply(request: Request) -> Response:
    await _writer(request)
    body = await read_json_object(request)
    reply = await store.update_reply(
        services(request).db,
        request.path_params["reply_id"],
        shortcut=required_text(body, "shortcut"),
        title=required_text(body, "title"),
        body=required_text(body, "body"),
    )
    return JSONResponse(reply.public())


async def delete_saved_reply(request: Request) -> Response:
    await _writer(request)
    await store.delete_reply(services(request).db, request.path_params["reply_id"])
    return Response(status_code=204)


routes = [
    Route("/api/v1/console/agents", agents_and_teams, methods=["GET"]),
    Route("/api/v1/console/saved-replies", list_saved_replies, methods=["GET"]),
    Route("/api/v1/console/saved-replies", create_saved_reply, methods=["POST"]),
    Route("/api/v1/console/saved-replies/{reply_id}", update_saved_reply, methods=["PUT"]),
    Route("/api/v1/console/saved-replies/{reply_id}", delete_saved_reply, methods=["DELETE"]),
]
