"""``/api/v1/attachments``: upload an image to a conversation, fetch it and its thumbnail.

Thin edge over ``MediaService``: it works out who is asking (a visitor token, an agent token
or the console's session cookie) and hands over the body as a stream. Reading and adding are only
for the conversation's visitor and the agents who may read it (routing's ``may_read``); to
everyone else an attachment does not exist (404).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.errors import NotFound, Unauthorized
from parley.media import Party, agent_party
from parley.services import services
from parley.web.auth import client_address, require_agent

# The bytes are re-encoded images, but a browser must never sniff them into anything else,
# and nothing in them may run. Each id's content never changes, so caches may keep it.
SERVED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Cache-Control": "private, max-age=31536000, immutable",
}


async def _party(request: Request) -> Party:
    """A visitor by their bearer token, else an agent by bearer token or session cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        try:
            return Party("visitor", services(request).signer.visitor_id(token.strip()))
        except Unauthorized:
            pass  # not a visitor token: perhaps an agent's
    return await agent_party(services(request).db, await require_agent(request))


async def upload(request: Request) -> Response:
    party = await _party(request)
    if party.kind == "visitor":  # image work is the dearest thing a visitor can ask for
        await services(request).visitor_uploads.hit(
            client_address(request), "uploads from your address"
        )
    media = services(request).media
    async with media.receive(request.stream(), request.headers.get("content-type", "")) as form:
        attachment = await media.upload(form, party)
    return JSONResponse(attachment, status_code=201)


async def _serve(request: Request, *, thumb: bool) -> Response:
    try:
        party = await _party(request)
    except Unauthorized:
        raise NotFound("no such attachment") from None
    stored = await services(request).media.fetch(
        request.path_params["attachment_id"], party, thumb=thumb
    )
    return Response(stored.data, media_type=stored.content_type, headers=SERVED_HEADERS)


async def attachment(request: Request) -> Response:
    return await _serve(request, thumb=False)


async def thumbnail(request: Request) -> Response:
    return await _serve(request, thumb=True)


routes = [
    Route("/api/v1/attachments", upload, methods=["POST"]),
    Route("/api/v1/attachments/{attachment_id}", attachment, methods=["GET"]),
    Route("/api/v1/attachments/{attachment_id}/thumb", thumbnail, methods=["GET"]),
]
