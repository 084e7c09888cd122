"""Peer review's JSON endpoints under ``/api/v1/quality/``: the scorecard, a reviewer's week,
one review (the thread read-only beside the scorecard), the reviews of one's own work,
calibration and IQS for Reports.

A reviewer reads the reviewed thread here and nowhere writes into it; scoring needs the
``X-CSRF-Token`` header. The scorecard, calibration and IQS are admins'.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import clock
from parley.console import csrf
from parley.console.admin_api import require_admin
from parley.console.quality_api import PREFIX, period
from parley.conversation.store import Message
from parley.db import Database
from parley.identity import store as identity
from parley.quality import review
from parley.quality.store import review as review_store
from parley.quality.store.review import Assignment, Review, Scorecard
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import read_json_object


def _scorecard(card: Scorecard) -> dict[str, Any]:
    return {"id": card.id, "criteria": card.criteria, "scale": card.scale}


def _review(found: Review | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "scores": found.scores,
        "score": found.score,
        "comment": found.comment,
        "submitted_at": clock.iso(found.submitted_at),
        "scorecard_id": found.scorecard_id,
    }


async def _names(db: Database) -> dict[str, str]:
    return {agent.id: agent.name for agent in await identity.list_agents(db)}


def _assignment(
    assignment: Assignment, names: dict[str, str], done: Review | None
) -> dict[str, Any]:
    return {
        "id": assignment.id,
        "week": assignment.week.isoformat(),
        "conversation_id": assignment.conversation_id,
        "episode": assignment.episode,
        "agent": {"id": assignment.agent_id, "name": names.get(assignment.agent_id)},
        "reviewer": {"id": assignment.reviewer_id, "name": names.get(assignment.reviewer_id)},
        "review": _review(done),
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "author": {"kind": message.author_kind, "name": message.author_name},
        "text": message.text,
        "internal": message.internal,
        "images": len(message.attachment_ids),
        "created_at": clock.iso(message.created_at),
    }


async def get_scorecard(request: Request) -> Response:
    await require_agent(request)
    return JSONResponse(_scorecard(await review.scorecard(services(request).db)))


async def put_scorecard(request: Request) -> Response:
    """A new version: reviews already given keep the scorecard they were scored on."""
    agent = await require_admin(request)
    csrf.verify_header(request)
    criteria, scale = review.validate_scorecard(await read_json_object(request))
    card = await review_store.add_scorecard(services(request).db, criteria, scale, agent.id)
    return JSONResponse(_scorecard(card))


async def my_week(request: Request) -> Response:
    agent = await require_agent(request)
    found = services(request)
    mine = await review.this_week(found.db, agent, found.settings.reviews_per_week)
    done = await review_store.reviews_of(found.db, [a.id for a in mine])
    names = await _names(found.db)
    return JSONResponse({"assignments": [_assignment(a, names, done.get(a.id)) for a in mine]})


async def open_review(request: Request) -> Response:
    agent = await require_agent(request)
    db = services(request).db
    assignment = await review.readable_assignment(db, request.path_params["assignment_id"], agent)
    done = (await review_store.reviews_of(db, [assignment.id])).get(assignment.id)
    card = (
        await review_store.scorecard_by_id(db, done.scorecard_id)
        if done
        else await review.scorecard(db)
    )
    return JSONResponse(
        {
            **_assignment(assignment, await _names(db), done),
            "scorecard": _scorecard(card),
            "thread": [_message(m) for m in await review.thread(db, assignment)],
        }
    )


async def submit_review(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    done = await review.submit(
        services(request).db,
        agent,
        request.path_params["assignment_id"],
        body.get("scores"),
        body.get("comment"),
    )
    return JSONResponse(_review(done), status_code=201)


async def about_me(request: Request) -> Response:
    """Reviews of the signed-in agent's own conversations, newest first."""
    agent = await require_agent(request)
    db = services(request).db
    names = await _names(db)
    mine = await review_store.reviewed(db, agent_id=agent.id)
    return JSONResponse({"reviews": [_assignment(a, names, r) for a, r in reversed(mine)]})


async def calibration(request: Request) -> Response:
    await require_admin(request)
    return JSONResponse({"conversations": await review.calibration(services(request).db)})


async def quality_scores(request: Request) -> Response:
    """IQS per agent, team and week, ``?from=&to=`` (ISO dates, default the last 30 days)."""
    await require_admin(request)
    start, end = period(request)
    return JSONResponse(await review.quality_scores(services(request).db, start, end))


routes = [
    Route(f"{PREFIX}/scorecard", get_scorecard, methods=["GET"]),
    Route(f"{PREFIX}/scorecard", put_scorecard, methods=["PUT"]),
    Route(f"{PREFIX}/reviews/mine", my_week, methods=["GET"]),
    Route(f"{PREFIX}/reviews/about-me", about_me, methods=["GET"]),
    Route(f"{PREFIX}/reviews/calibration", calibration, methods=["GET"]),
    Route(f"{PREFIX}/reviews/{{assignment_id}}", open_review, methods=["GET"]),
    Route(f"{PREFIX}/reviews/{{assignment_id}}", submit_review, methods=["POST"]),
    Route(f"{PREFIX}/iqs", quality_scores, methods=["GET"]),
]
