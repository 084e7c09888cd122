"""Known issues in the console: the page at ``/console/issues`` and its JSON API
(``/api/v1/console/issues``): list with counts (or a conversation's issues), create, edit,
link a conversation, mark fixed with custom text or a saved reply, and the counts added up
(``…/report``, the known-issue figures beside Reports). Any signed-in agent; writes need the
CSRF header."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from parley import clock, knownissues, replies
from parley.console import csrf
from parley.console.render import page
from parley.errors import BadRequest, NotFound, Unauthorized
from parley.knownissues.store import Counts, KnownIssue
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import optional_text, read_json_object, required_text

PREFIX = "/api/v1/console/issues"


def _public(issue: KnownIssue, counts: Counts) -> dict[str, Any]:
    return {
        "id": issue.id,
        "title": issue.title,
        "tracker_url": issue.tracker_url,
        "status": issue.status,
        "created_at": clock.iso(issue.created_at),
        "fixed_at": clock.iso(issue.fixed_at),
        "fix_message": issue.fix_message,
        "counts": {
            "conversations": counts.conversations,
            "notified": counts.notified,
            "read": counts.read,
            "replied": counts.replied,
        },
    }


async def issues_page(request: Request) -> Response:
    try:
        agent = await require_agent(request)
    except Unauthorized:
        return RedirectResponse("/console/login", status_code=303)
    return page(request, "issues.html", agent=agent.public())


async def list_issues(request: Request) -> Response:
    """Every issue with its counts; with ``?conversation_id=``, the issues that conversation
    is linked to (for whoever may read it)."""
    agent = await require_agent(request)
    issues = services(request).known_issues
    conversation_id = request.query_params.get("conversation_id")
    if conversation_id is not None:
        linked = await issues.of_conversation(agent, conversation_id)
        counted = {issue.id: await issues.counts(issue.id) for issue in linked}
        return JSONResponse({"issues": [_public(issue, counted[issue.id]) for issue in linked]})
    listing = await issues.listing()
    return JSONResponse({"issues": [_public(issue, counts) for issue, counts in listing]})


async def report(request: Request) -> Response:
    await require_agent(request)
    return JSONResponse(asdict(await knownissues.report(services(request).db)))


async def edit_issue(request: Request) -> Response:
    await csrf.writing_agent(request)
    body = await read_json_object(request)
    issues = services(request).known_issues
    issue = await issues.edit(
        request.path_params["issue_id"],
        required_text(body, "title"),
        optional_text(body, "tracker_url"),
    )
    return JSONResponse(_public(issue, await issues.counts(issue.id)))


async def create_issue(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    issues = services(request).known_issues
    issue = await issues.create(
        agent, required_text(body, "title"), optional_text(body, "tracker_url")
    )
    return JSONResponse(_public(issue, Counts(0, 0, 0, 0)), status_code=201)


async def one_issue(request: Request) -> Response:
    await require_agent(request)
    issues = services(request).known_issues
    issue = await issues.issue(request.path_params["issue_id"])
    links = await issues.links(issue.id)
    return JSONResponse(
        {
            **_public(issue, await issues.counts(issue.id)),
            "conversations": [
                {
                    "conversation_id": link.conversation_id,
                    "linked_at": clock.iso(link.linked_at),
                    "notified": link.notified_seq is not None,
                }
                for link in links
            ],
        }
    )


async def link_conversation(request: Request) -> Response:
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    issues = services(request).known_issues
    await issues.link(
        agent, request.path_params["issue_id"], required_text(body, "conversation_id")
    )
    return Response(status_code=204)


async def mark_fixed(request: Request) -> Response:
    """``{"text"}`` or ``{"saved_reply_id"}``: the message every linked conversation gets."""
    agent = await csrf.writing_agent(request)
    body = await read_json_object(request)
    text = optional_text(body, "text")
    reply_id = optional_text(body, "saved_reply_id")
    if (text is None) == (reply_id is None):
        raise BadRequest("give exactly one of text or saved_reply_id")
    if reply_id is not None:
        db = services(request).db
        try:
            chosen = await replies.reply_for(db, reply_id, await replies.author(db, agent))
        except NotFound:
            raise NotFound("no such saved reply", code="unknown_saved_reply") from None
        text = chosen.body
    issues = services(request).known_issues
    issue = await issues.mark_fixed(agent, request.path_params["issue_id"], text or "")
    return JSONResponse(_public(issue, await issues.counts(issue.id)))


routes = [
    Route("/console/issues", issues_page, methods=["GET"]),
    Route(PREFIX, list_issues, methods=["GET"]),
    Route(PREFIX, create_issue, methods=["POST"]),
    Route(f"{PREFIX}/report", report, methods=["GET"]),
    Route(f"{PREFIX}/{{issue_id}}", one_issue, methods=["GET"]),
    Route(f"{PREFIX}/{{issue_id}}", edit_issue, methods=["PATCH"]),
    Route(f"{PREFIX}/{{issue_id}}/conversations", link_conversation, methods=["POST"]),
    Route(f"{PREFIX}/{{issue_id}}/fixed", mark_fixed, methods=["POST"]),
]
