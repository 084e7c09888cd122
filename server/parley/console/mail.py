"""Mail in the console: Admin → Mail (the outbox: what was sent, what waits, what failed and
why, each mail's words) and an agent's own switch for the mails agents get.

With no ``PARLEY_SMTP_URL`` this is where an admin reads what Parley would have sent.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley import clock
from parley.console import csrf
from parley.console.admin_api import PREFIX, require_admin
from parley.errors import BadRequest, NotFound
from parley.mail import store
from parley.mail.store import OutboxRow, OutgoingMail
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import read_json_object

STATUSES = ("pending", "sending", "sent", "held", "failed", "cancelled")


def _summary(row: OutboxRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "conversation_id": row.conversation_id,
        "recipient": row.recipient,
        "subject": row.subject,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": clock.iso(row.created_at),
        "due_at": clock.iso(row.due_at),
        "sent_at": clock.iso(row.sent_at),
    }


async def list_mail(request: Request) -> Response:
    await require_admin(request)
    status = request.query_params.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    db = services(request).db
    rows = await store.recent(db, status=status)
    return JSONResponse(
        {
            "configured": services(request).settings.smtp_url is not None,
            "counts": await store.counts(db),
            "mails": [_summary(row) for row in rows],
        }
    )


async def one_mail(request: Request) -> Response:
    await require_admin(request)
    row = await store.mail_by_id(services(request).db, request.path_params["mail_id"])
    if row is None:
        raise NotFound("no such mail")
    return JSONResponse({**_summary(row), "reply_to": row.reply_to, "text_body": row.text_body})


async def send_test(request: Request) -> Response:
    """A test mail to the admin asking, through the outbox like any other."""
    admin = await require_admin(request)
    csrf.verify_header(request)
    found = services(request)
    words = found.mail.composer.test_mail(admin.email, admin.name)
    await store.enqueue(found.db, [OutgoingMail("test", agent_id=admin.id, composed=words)])
    found.mail.wake()
    return JSONResponse({"recipient": admin.email}, status_code=202)


async def my_mail(request: Request) -> Response:
    """GET: whether the agent gets mail; PUT ``{"enabled": bool}`` changes it."""
    if request.method == "PUT":
        agent = await csrf.writing_agent(request)
        enabled = (await read_json_object(request)).get("enabled")
        if not isinstance(enabled, bool):
            raise BadRequest("enabled must be true or false")
        await store.set_agent_mail(services(request).db, agent.id, enabled)
    else:
        agent = await require_agent(request)
    return JSONResponse({"enabled": await store.agent_mail_enabled(services(request).db, agent.id)})


routes = [
    Route(f"{PREFIX}/mail", list_mail, methods=["GET"]),
    Route(f"{PREFIX}/mail/test", send_test, methods=["POST"]),
    Route(f"{PREFIX}/mail/{{mail_id}}", one_mail, methods=["GET"]),
    Route("/api/v1/console/me/mail", my_mail, methods=["GET", "PUT"]),
]
