"""``POST /api/v1/visitors``: a widget introduces its visitor and gets a bearer token;
``POST /api/v1/visitors/me``: ``Parley.identify`` updates that visitor at once
(docs/protocol.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.errors import BadRequest
from parley.identity.visitors import VisitorProfile, register_visitor, update_visitor
from parley.services import services
from parley.web.auth import client_address, require_visitor_id
from parley.web.json import optional_text, read_json_object


async def _profile(request: Request, fields: tuple[str, ...]) -> VisitorProfile:
    body = await read_json_object(request)
    attributes = body.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise BadRequest("attributes must be an object")
    return VisitorProfile(
        **{name: optional_text(body, name) for name in fields},
        user_agent=request.headers.get("user-agent"),
        attributes=attributes,
    )


async def create_visitor(request: Request) -> Response:
    await services(request).visitor_creation.hit(
        client_address(request), "new visitors from your address"
    )
    profile = await _profile(
        request, ("name", "email", "locale", "page_url", "referrer", "user_id", "user_hash")
    )
    found = services(request)
    visitor = await register_visitor(
        found.db, profile, identity_secret=found.site.current.identity_secret
    )
    token = found.signer.visitor_token(visitor.id)
    return JSONResponse({"visitor_id": visitor.id, "token": token}, status_code=201)


async def update_me(request: Request) -> Response:
    """The token's visitor, updated: ``{name, email, attributes, user_id, user_hash}``."""
    found = services(request)
    visitor_id = require_visitor_id(request)
    profile = await _profile(request, ("name", "email", "user_id", "user_hash"))
    visitor = await update_visitor(
        found.db, visitor_id, profile, identity_secret=found.site.current.identity_secret
    )
    return JSONResponse({"visitor_id": visitor.id, "attributes": visitor.attributes})


routes = [
    Route("/api/v1/visitors", create_visitor, methods=["POST"]),
    Route("/api/v1/visitors/me", update_me, methods=["POST"]),
]
