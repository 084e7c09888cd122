"""One log line per request: method, path, status, duration. Never query strings.

Query strings carry tokens (``/ws/visitor?token=…``), so only the path is logged. The server
underneath logs too (uvicorn names every WebSocket it accepts, query string and all), so
``redact_server_logs`` puts a filter on its loggers that blanks every token-like parameter.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("parley.access")

SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_SECRET_PARAMETER = re.compile(
    r"(?i)((?:^|[?&\s])(?:token|access_token|session|password|key|secret)=)[^&\s\"']*"
)


def redact(text: str) -> str:
    """``text`` with the value of every token-like query parameter replaced by ``[redacted]``."""
    return _SECRET_PARAMETER.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Formats the record once and keeps only the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTION = RedactTokens()


def redact_server_logs() -> None:
    """Put the token filter on the server's loggers (once, however many apps are made)."""
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        if _REDACTION not in server_logger.filters:
            server_logger.addFilter(_REDACTION)


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": None}

        async def send_and_note_status(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status["code"] = message["status"]
            elif message["type"] == "websocket.accept":
                status["code"] = 101
            elif message["type"] == "websocket.close" and status["code"] is None:
                status["code"] = f"ws-close-{message.get('code', 1000)}"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            method = scope.get("method", "WS")
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.info("%s %s %s %.1fms", method, scope["path"], status["code"], elapsed_ms)
