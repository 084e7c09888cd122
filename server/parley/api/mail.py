"""Mail's HTTP doors: the raw-message endpoint relay services post replies to, and the links in
mails (reopen the chat; the rating's confirm page and its POST). Their tokens are query
parameters or form fields: the access log writes paths only, and tokens never appear in logs.

``POST /api/v1/mail/inbound`` takes a raw RFC 822 message as the body (``message/rfc822`` or
any type); the recipient comes from its headers or ``?recipient=``. Only a relay presenting
``PARLEY_INBOUND_MAIL_SECRET`` may post (off without one); the signed reply address then
decides the conversation, as for the SMTP listener. The links are signed per conversation (and
episode and score for a rating), so none can be made up or redirected elsewhere.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from parley.conversation.store import current_episodes
from parley.errors import BadRequest, NotFound, PayloadTooLarge, Unauthorized
from parley.identity import store as identity_store
from parley.mail.compose import SCORES
from parley.mail.inbound import MAX_MAIL_BYTES
from parley.mail.texts import texts_for
from parley.services import Services, services
from parley.web.forms import read_form

OPEN_FRAGMENT = "#parley-chat"
MAX_COMMENT = 2000  # as the widget's rating frame
# The pages a mail's link opens: no scripts, no framing, a form that posts only here, the
# token in the address never sent on as a referrer, nothing cached.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


async def inbound(request: Request) -> Response:
    _check_relay(request, services(request).settings.inbound_mail_secret)
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


def _check_relay(request: Request, secret: str | None) -> None:
    """Only the relay that knows ``PARLEY_INBOUND_MAIL_SECRET`` may post; with none set, the
    endpoint is off. The reply token still decides which conversation (if any) gets the mail.

    Compared in constant time (digests of equal length), before a byte of the body is read.
    """
    if secret is None:
        raise NotFound(
            "inbound mail over HTTP is off: set PARLEY_INBOUND_MAIL_SECRET", code="inbound_mail_off"
        )
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    given = credentials.strip()
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(given, validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            given = ""
    elif scheme.lower() != "bearer":
        given = ""
    if not hmac.compare_digest(_digest(given), _digest(secret)):
        raise Unauthorized("the relay secret is missing or wrong", code="bad_relay_secret")


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


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


async def rate_page(request: Request) -> Response:
    """A rating link's page: the score the click chose, pre-selected, to confirm with a POST.

    Mail scanners fetch every link in a mail before the visitor reads it; a GET that recorded
    the rating would record theirs. Nothing changes here: the POST of the form does it.
    """
    found = services(request)
    query = request.query_params
    episode, score = _number(query.get("episode")), _number(query.get("score"))
    conversation_id = found.mail_tokens.verify_rating(query.get("token", ""), episode, score)
    if conversation_id is None or score not in SCORES:
        raise NotFound("this link is not valid", code="bad_link")
    conversation = await found.lifecycle.conversation(conversation_id)
    rated = (await current_episodes(found.db, [conversation.id])).get(conversation.id)
    open_to_rate = conversation.episode == episode and rated is not None and rated.rating is None
    form = None
    if open_to_rate:
        token = found.mail_tokens.rating_form(conversation.id, episode)
        form = {"token": token, "episode": episode, "score": score}
    return _page(found, conversation.locale, form=form)


async def rate(request: Request) -> Response:
    """The confirm page's POST: recorded on the episode the mail was about, once (the first
    rating stands). The form's signed token is the credential, so another site cannot post
    one for a visitor: it has no token to post."""
    found = services(request)
    fields = await read_form(request)
    episode, score = _number(fields.get("episode")), _number(fields.get("score"))
    conversation_id = found.mail_tokens.verify_rating_form(fields.get("token", ""), episode)
    if conversation_id is None:
        raise NotFound("this link is not valid", code="bad_link")
    if score not in SCORES:
        raise BadRequest("choose a score from 1 to 5", code="bad_score")
    comment = fields.get("comment", "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise BadRequest(f"a comment is at most {MAX_COMMENT} characters", code="bad_comment")
    conversation = await found.lifecycle.conversation(conversation_id)
    if conversation.episode == episode:
        # Rated already (in the widget, by an earlier confirm): the first rating stands.
        with contextlib.suppress(BadRequest):
            await found.lifecycle.rate(conversation, score, comment)
    return _page(found, conversation.locale, form=None)


def _number(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise NotFound("this link is not valid", code="bad_link") from None


def _page(found: Services, locale: str | None, *, form: dict[str, Any] | None) -> HTMLResponse:
    html = found.mail.composer.page(
        "rate_page",
        lang=(locale or "en")[:2],
        t=texts_for(locale),
        form=form,
        scores=SCORES,
        max_comment=MAX_COMMENT,
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


routes = [
    Route("/api/v1/mail/inbound", inbound, methods=["POST"]),
    Route("/mail/open", open_chat, methods=["GET"]),
    Route("/mail/rate", rate_page, methods=["GET"]),
    Route("/mail/rate", rate, methods=["POST"]),
]
