"""JSON endpoints of the quality loop: A/B tests of saved replies (start, draw, results, end),
how often each saved reply is used, service-level targets, the running response clocks and
compliance for Reports.

Any agent may draw a variant in a conversation they may read, read results, targets and the
clocks of conversations they may read; starting and ending a test, editing targets and reading
compliance is an admin's. Writes need the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import clock, replies
from parley.console import csrf
from parley.console.admin_api import require_admin
from parley.conversation import access
from parley.conversation.store import open_conversations
from parley.errors import BadRequest
from parley.quality import experiments, sla
from parley.quality.store import experiments as quality_store
from parley.quality.store import sla as sla_store
from parley.replies import placeholders
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import read_json_object, required_text

PREFIX = "/api/v1/quality"


async def _admin_writer(request: Request) -> str:
    agent = await require_admin(request)
    csrf.verify_header(request)
    return agent.id


async def list_tests(request: Request) -> Response:
    agent = await require_agent(request)
    db = services(request).db
    who = await replies.author(db, agent)
    reply = await replies.reply_for(db, request.path_params["reply_id"], who)
    return JSONResponse({"tests": await experiments.summary_of(db, reply.id)})


async def start_test(request: Request) -> Response:
    """Each variant's placeholders are checked as a reply's text is, so every arm can be sent."""
    agent_id = await _admin_writer(request)
    body = await read_json_object(request)
    variants = experiments.validate_variants(body.get("variants"))
    for number, text in enumerate(variants):
        placeholders.check(text, field=f"variant {experiments.label(number)}")
    experiment = await experiments.start(
        services(request).db, request.path_params["reply_id"], variants, agent_id
    )
    return JSONResponse(experiments.public(experiment), status_code=201)


async def draw_variant(request: Request) -> Response:
    """The text to insert: the conversation's sticky variant while the reply is under test."""
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    found = services(request)
    conversation = await found.lifecycle.conversation(required_text(body, "conversation_id"))
    access.check_may_read(conversation, await access.reader(found.db, agent.id, agent.role))
    who = await replies.author(found.db, agent)
    reply = await replies.reply_for(found.db, request.path_params["reply_id"], who)
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


async def list_targets(request: Request) -> Response:
    await require_agent(request)
    targets = await sla_store.list_targets(services(request).db)
    return JSONResponse({"targets": [target.public() for target in targets]})


async def create_target(request: Request) -> Response:
    await _admin_writer(request)
    values = sla.validate_target(await read_json_object(request))
    target = await sla_store.create_target(services(request).db, **values)
    return JSONResponse(target.public(), status_code=201)


async def update_target(request: Request) -> Response:
    """The whole target again (as when creating it), checked before anything changes."""
    await _admin_writer(request)
    values = sla.validate_target(await read_json_object(request))
    target = await sla_store.update_target(
        services(request).db, request.path_params["target_id"], **values
    )
    return JSONResponse(target.public())


async def delete_target(request: Request) -> Response:
    await _admin_writer(request)
    await sla_store.delete_target(services(request).db, request.path_params["target_id"])
    return Response(status_code=204)


async def running_clocks(request: Request) -> Response:
    """The response clocks of the open conversations this agent may read, most urgent first."""
    agent = await require_agent(request)
    found = services(request)
    who = await access.reader(found.db, agent.id, agent.role)
    readable = {
        c.id
        for c in await open_conversations(found.db, include_all_assigned=True)
        if access.may_read(c, who)
    }
    clocks = await sla.running_clocks(found.db, found.site.current.hours)
    return JSONResponse({"clocks": [c.public() for c in clocks if c.conversation_id in readable]})


async def compliance(request: Request) -> Response:
    """First-response compliance and breaches per agent and team, ``?from=&to=`` (ISO dates)."""
    await require_admin(request)
    start, end = period(request)
    return JSONResponse(await sla.compliance(services(request).db, start, end))


def period(request: Request) -> tuple[datetime, datetime]:
    """``?from=&to=`` (ISO 8601), by default the 30 days up to now."""
    end = _moment(request.query_params.get("to")) or clock.now()
    start = _moment(request.query_params.get("from")) or end - timedelta(days=30)
    if start >= end:
        raise BadRequest("from must come before to", code="invalid_period")
    return start, end


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return clock.as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise BadRequest("dates are ISO 8601, e.g. 2026-12-01", code="invalid_period") from None


routes = [
    Route(f"{PREFIX}/sla/targets", list_targets, methods=["GET"]),
    Route(f"{PREFIX}/sla/targets", create_target, methods=["POST"]),
    Route(f"{PREFIX}/sla/targets/{{target_id}}", update_target, methods=["PUT"]),
    Route(f"{PREFIX}/sla/targets/{{target_id}}", delete_target, methods=["DELETE"]),
    Route(f"{PREFIX}/sla/clocks", running_clocks, methods=["GET"]),
    Route(f"{PREFIX}/sla/compliance", compliance, methods=["GET"]),
    Route(f"{PREFIX}/saved-replies/usage", reply_usage, methods=["GET"]),
    Route(f"{PREFIX}/saved-replies/{{reply_id}}/tests", list_tests, methods=["GET"]),
    Route(f"{PREFIX}/saved-replies/{{reply_id}}/tests", start_test, methods=["POST"]),
    Route(f"{PREFIX}/saved-replies/{{reply_id}}/draw", draw_variant, methods=["POST"]),
    Route(f"{PREFIX}/tests/{{experiment_id}}", test_results, methods=["GET"]),
    Route(f"{PREFIX}/tests/{{experiment_id}}/end", end_test, methods=["POST"]),
]
