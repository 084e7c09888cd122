"""Parley's error hierarchy, mapped once to HTTP JSON errors and WebSocket ``error`` frames.

Services raise these with a message a person can act on; the HTTP and WebSocket edges turn
them into ``{"error": {"code", "message"}}`` or ``{"type": "error", ...}`` without guessing.
"""

from __future__ import annotations


class ParleyError(Exception):
    """Base of every error Parley reports to a client."""

    code = "error"
    http_status = 500
    # On a WebSocket: the client_id of the frame this error answers, if it had one.
    ref: str | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class ConfigError(ParleyError):
    """A setting is unknown or malformed; Parley refuses to start."""

    code = "config_error"


class BadRequest(ParleyError):
    code = "bad_request"
    http_status = 400


class Unauthorized(ParleyError):
    code = "unauthorized"
    http_status = 401


class Forbidden(ParleyError):
    code = "forbidden"
    http_status = 403


class NotFound(ParleyError):
    code = "not_found"
    http_status = 404


class Conflict(ParleyError):
    code = "conflict"
    http_status = 409


class PayloadTooLarge(ParleyError):
    code = "too_large"
    http_status = 413


class UnsupportedMediaType(ParleyError):
    code = "unsupported_media_type"
    http_status = 415


class RateLimited(ParleyError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
