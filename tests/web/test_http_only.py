"""An HTTP-only middleware acts on requests and leaves nothing of itself on a socket's stack."""

from __future__ import annotations

from typing import Any

from parley.web.http_only import HttpOnly


class Tagging(HttpOnly):
    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        scope["seen_by"] = "tagging"
        await self.app(scope, receive, send)


async def test_a_socket_gets_the_apps_own_coroutine_and_a_request_the_middleware() -> None:
    reached: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope)

    middleware = Tagging(app)
    socket_scope: dict[str, Any] = {"type": "websocket"}
    awaited = middleware(socket_scope, None, None)
    assert awaited.cr_code is app.__code__  # type: ignore[attr-defined]
    await awaited
    request_scope: dict[str, Any] = {"type": "http"}
    await middleware(request_scope, None, None)

    assert reached == [{"type": "websocket"}, {"type": "http", "seen_by": "tagging"}]
