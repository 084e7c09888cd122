"""JSON endpoints of the quality loop: A/B tests of saved replies (start, draw, results, end)
and how often each saved reply is used.

Any agent may draw a variant in a conversation they may read and read results; starting and
ending a test is an admin's decision. Writes need the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.console import csrf, store
from parley.console.admin_api import require_admin
from parley.conversation import access
from parley.quality import experiments
from parley.quality.store import experiments as quality_store
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import read_json_object, required_text

PREFIX = "/api/v1/quality"


async def _admin_writer(request: Request) -> str:
    agent = await require_admin(request)
    csrf.verify_header(request)
    return agent.id


async def list_tests(request: Request) -> Response:
    await require_agent(request)
    db = services(request).db
    reply = await store.reply_by_id(db, request.path_params["reply_id"])
    return JSONResponse({"tests": await experiments.summary_of(db, reply.id)})


async def start_test(request: Request) -> Response:
    agent_id = await _admin_writer(request)
    body = await read_json_object(request)
    experiment = await experiments.start(
        services(request).db, request.path_params["reply_id"], body.get("variants"), agent_id
    )
    return JSONResponse(experiments.public(experiment), status_code=201)


async def draw_variant(request: Request) -> Response:
    """The text to insert: the conversation's sticky variant while the reply is under test."""
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    conversation = await found.lifecycle.conversation(required_text(body, "conversation_id"))
    access.check_may_read(conversation, await access.reader(found.db, agent.id, agent.role))
    reply = await store.reply_by_id(found.db, request.path_params["reply_id"])
    drawn = await experiments.draw(found.db, reply.id, reply.body, conversation.id)
    return JSONResponse(
        {
            "saved_reply_id": reply.id,
            "experiment_id": drawn.experiment_id,
            "variant": drawn.variant,
            "label": None if drawn.variant is None else experiments.label(drawn.variant),
            "body": drawn.body,
        }
    )


async def test_results(request: Request) -> Response:
    await require_agent(request)
    return JSONResponse(
        await experiments.results(services(request).db, request.path_params["experiment_id"])
    )


async def end_test(request: Request) -> Response:
    await _admin_writer(request)
    body = await read_json_object(request)
    experiment = await experiments.end(
        services(request).db, request.path_params["experiment_id"], body.get("winner")
    )
    return JSONResponse(experiments.public(experiment))


async def reply_usage(request: Request) -> Response:
    await require_agent(request)
    return JSONResponse({"usage": await quality_store.reply_usage(services(request).db)})


routes = [
    Route(f"{PREFIX}/saved-replies/usage", reply_usage, methods=["GET"]),
    Route(f"{PREFIX}/saved-replies/{{reply_id}}/tests", list_tests, methods=["GET"]),
    Route(f"{PREFIX}/saved-replies/{{reply_id}}/tests", start_test, methods=["POST"]),
    Route(f"{PREFIX}/saved-replies/{{reply_id}}/draw", draw_variant, methods=["POST"]),
    Route(f"{PREFIX}/tests/{{experiment_id}}", test_results, methods=["GET"]),
    Route(f"{PREFIX}/tests/{{experiment_id}}/end", end_test, methods=["POST"]),
]
