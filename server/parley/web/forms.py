"""HTML form bodies, read in one place: urlencoded only, bounded, and refused with a clear 400
when a field holds a NUL (see ``parley.storable``), before a handler sees any of it.

Every form Parley serves (sign-in, sign-out, first run, "was this helpful", a mail's rating
page) posts a few short fields, so the body is read whole within a small bound. Files arrive
only at the upload endpoints, which stream them (``parley.media.uploads``); a multipart body
here would be parsed and spooled before any check, so it is refused (415).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from parley.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from parley.storable import NUL, NUL_REFUSED

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 20


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (the last value of each), or a 400/413/415 that changed nothing."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind not in (FORM_TYPE, ""):
        raise UnsupportedMediaType(f"send the form as {FORM_TYPE}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge(f"the form is larger than {MAX_FORM_BYTES:,} bytes")
    if body and not kind:  # an empty post (a button alone) needs no type
        raise UnsupportedMediaType(f"send the form as {FORM_TYPE}")
    try:
        pairs = parse_qsl(
            body.decode(), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("the form could not be read", code="bad_form") from None
    if any(NUL in name or NUL in value for name, value in pairs):
        raise BadRequest(f"the form: {NUL_REFUSED}", code="bad_form")
    return dict(pairs)
