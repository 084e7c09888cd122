"""JSON in and out: request bodies read safely (bounded size, an object, clear errors), and
answers that may carry the typed shapes."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from parley.errors import BadRequest, PayloadTooLarge
from parley.storable import NUL_REFUSED, holds_nul

MAX_JSON_BYTES = 64 * 1024


async def read_json_object(request: Request) -> dict[str, Any]:
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"request body is larger than {MAX_JSON_BYTES} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"request body is not valid JSON: {exc}", code="invalid_json") from None
    except RecursionError:
        raise BadRequest("request body is nested too deeply", code="invalid_json") from None
    if not isinstance(parsed, dict):
        raise BadRequest("request body must be a JSON object", code="invalid_json")
    if holds_nul(parsed):
        raise BadRequest(NUL_REFUSED, code="invalid_json")
    return parsed


def optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def required_text(body: dict[str, Any], name: str) -> str:
    value = optional_text(body, name)
    if value is None or not value.strip():
        raise BadRequest(f"{name} is required")
    return value


_encode = msgspec.json.Encoder().encode


def json_response(content: Any, status_code: int = 200) -> Response:
    """A JSON answer that may hold the typed shapes (msgspec structs) as well as plain values."""
    return Response(_encode(content), status_code=status_code, media_type="application/json")
