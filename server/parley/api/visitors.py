"""``POST /api/v1/visitors``: a widget introduces its visitor and gets a bearer token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.errors import BadRequest
from parley.identity.visitors import VisitorProfile, register_visitor
from parley.services import services
from parley.web.auth import client_address
from parley.web.json import optional_text, read_json_object


async def create_visitor(request: Request) -> Response:
    services(request).visitor_creation.hit(
        client_address(request), "new visitors from your address"
    )
    body = await read_json_object(request)
    attributes = body.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise BadRequest("attributes must be an object")
    profile = VisitorProfile(
        **{
            name: optional_text(body, name)
            for name in ("name", "email", "locale", "page_url", "referrer", "user_id", "user_hash")
        },
        user_agent=request.headers.get("user-agent"),
        attributes=attributes,
    )
    found = services(request)
    visitor = await register_visitor(
        found.db, profile, identity_secret=found.site.current.identity_secret
    )
    token = found.signer.visitor_token(visitor.id)
    return JSONResponse({"visitor_id": visitor.id, "token": token}, status_code=201)


routes = [Route("/api/v1/visitors", create_visitor, methods=["POST"])]
