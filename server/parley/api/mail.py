"""Mail's HTTP doors: the raw-message endpoint relay services post replies to, and the links in
mails (reopen the chat, one-click rating). Their tokens are query parameters: the access log
writes paths only, and tokens never appear in logs.

``POST /api/v1/mail/inbound`` takes a raw RFC 822 message as the body (``message/rfc822`` or
any type); the recipient comes from its headers or ``?recipient=``. The signed reply address
is the only credential, as for the SMTP listener. The links are signed per conversation (and
episode and score for a rating), so none can be made up or redirected elsewhere.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from parley.errors import BadRequest, NotFound, PayloadTooLarge
from parley.identity import store as identity_store
from parley.mail.inbound import MAX_MAIL_BYTES
from parley.mail.texts import texts_for
from parley.services import services

OPEN_FRAGMENT = "#parley-chat"


async def inbound(request: Request) -> Response:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_MAIL_BYTES:
            raise PayloadTooLarge("the mail is too large")
    recipients = request.query_params.getlist("recipient")
    appended = await services(request).inbound_mail.receive(bytes(body), recipients)
    return JSONResponse(
        {"conversation_id": appended.conversation.id, "seq": appended.message.seq},
        status_code=201 if appended.created else 200,
    )


async def open_chat(request: Request) -> Response:
    """Back to the page the visitor chatted on, where the widget opens the conversation."""
    found = services(request)
    conversation_id = found.mail_tokens.verify("open", request.query_params.get("token", ""))
    if conversation_id is None:
        raise NotFound("this link is not valid", code="bad_link")
    conversation = await found.lifecycle.conversation(conversation_id)
    visitor = await identity_store.visitor_by_id(found.db, conversation.visitor_id)
    page = (visitor.page_url if visitor else None) or ""
    if urlsplit(page).scheme not in {"http", "https"}:
        page = found.settings.base_url + "/"
    return RedirectResponse(page.split("#")[0] + OPEN_FRAGMENT, status_code=303)


async def rate(request: Request) -> Response:
    """The one-click rating: recorded on the episode the mail was about, once."""
    found = services(request)
    query = request.query_params
    try:
        episode, score = int(query.get("episode", "")), int(query.get("score", ""))
    except ValueError:
        raise NotFound("this link is not valid", code="bad_link") from None
    conversation_id = found.mail_tokens.verify_rating(query.get("token", ""), episode, score)
    if conversation_id is None or not 1 <= score <= 5:
        raise NotFound("this link is not valid", code="bad_link")
    conversation = await found.lifecycle.conversation(conversation_id)
    t = texts_for(conversation.locale)
    if conversation.episode == episode:
        # Rated already (in the widget, by an earlier click): the first rating stands.
        with contextlib.suppress(BadRequest):
            await found.lifecycle.rate(conversation, score, None)
    return HTMLResponse(_thanks_page(t["rating_thanks"], conversation.locale or "en"))


def _thanks_page(text: str, locale: str) -> str:
    return (
        f'<!doctype html><html lang="{locale[:2]}"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        f"<title>{text}</title>"
        '<body style="font-family: system-ui, sans-serif; text-align: center; padding: 48px;">'
        f"<p>{text}</p></body></html>"
    )


routes = [
    Route("/api/v1/mail/inbound", inbound, methods=["POST"]),
    Route("/mail/open", open_chat, methods=["GET"]),
    Route("/mail/rate", rate, methods=["GET"]),
]
