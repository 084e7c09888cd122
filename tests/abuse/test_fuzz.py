"""Hypothesis throws generated input at every JSON endpoint, query string and frame type.

Whatever arrives, the answer is a 4xx (never a 5xx) or an ``error`` frame (never the
"something went wrong" one), and a socket is only ever closed with a close code. Bounded:
each property runs a fixed number of examples, so the suite adds seconds, not minutes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, get_args

import httpx
import msgspec
import pytest
import websockets
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from parley.config import Settings
from parley.conversation.protocol import AgentFrame, VisitorFrame
from parley.errors import ParleyError
from tests.browser.conftest import REPO
from tests.conftest import PASSWORD
from tests.console.forms import signed_in_with_csrf
from tests.support.chat import ChatClient, agent_token, new_visitor

EXAMPLES = examples(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
UNEXPECTED = ParleyError.code  # the code of an error nobody anticipated

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _object_with(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that use the endpoint's own keys (so validation is reached), with any values."""
    return st.dictionaries(st.sampled_from(keys), JSON_VALUES, max_size=len(keys))


def _bodies(keys: list[str]) -> st.SearchStrategy[bytes]:
    return (
        _object_with(keys).map(lambda value: json.dumps(value).encode())
        | JSON_VALUES.map(lambda value: json.dumps(value).encode())
        | st.binary(max_size=200)
    )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The real knowledge base (feedback and clicks need articles), ceilings out of the way."""
    return settings.with_overrides(
        kb_dir=REPO / "kb_articles",
        visitors_per_minute=10_000,
        socket_frames_per_second=10_000,
        login_max_failures=10_000,
    )


PUBLIC_JSON = [
    ("POST", "/api/v1/visitors", ["name", "email", "locale", "attributes", "user_id", "user_hash"]),
    ("POST", "/api/v1/auth/login", ["email", "password"]),
    ("POST", "/api/v1/kb/searches/click", ["slug", "search_id", "query"]),
    ("POST", "/api/v1/kb/articles/reset-password/feedback", ["helpful"]),
]
CONSOLE_JSON = [
    ("POST", "/api/v1/console/saved-replies", ["shortcut", "title", "text", "variants"]),
    ("POST", "/api/v1/console/admin/agents", ["email", "name", "password", "role", "capacity"]),
    ("PATCH", "/api/v1/console/admin/agents/agt_none", ["role", "capacity", "disabled"]),
    ("POST", "/api/v1/console/admin/teams", ["name", "locale", "member_ids"]),
    ("POST", "/api/v1/console/admin/labels", ["name", "colour", "description"]),
    ("PUT", "/api/v1/console/admin/settings", ["business_hours", "timezone", "widget_color"]),
    ("PUT", "/api/v1/console/me/password", ["current_password", "new_password"]),
]
QUERIES = [
    ("/api/v1/kb/search", ["q", "limit", "locale", "source", "refines"]),
    ("/api/v1/kb/popular", ["locale", "limit"]),
    ("/help/search", ["q", "locale"]),
    ("/api/v1/console/conversations", ["q", "status", "label", "limit", "offset", "visitor"]),
]


@pytest.fixture
async def admin(client: httpx.AsyncClient, make_agent: Any) -> dict[str, str]:
    """The in-process client signed in as an admin; the CSRF header for its JSON writes."""
    email = await make_agent("Root", role="admin")
    return {"X-CSRF-Token": await signed_in_with_csrf(client, email)}


@EXAMPLES
@given(data=st.data())
async def test_public_json_endpoints_never_answer_5xx(
    client: httpx.AsyncClient, data: st.DataObject
) -> None:
    method, path, keys = data.draw(st.sampled_from(PUBLIC_JSON))
    body = data.draw(_bodies(keys))
    response = await client.request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, (path, body, response.text)


@EXAMPLES
@given(data=st.data())
async def test_console_json_endpoints_never_answer_5xx(
    client: httpx.AsyncClient, admin: dict[str, str], data: st.DataObject
) -> None:
    method, path, keys = data.draw(st.sampled_from(CONSOLE_JSON))
    body = data.draw(_bodies(keys))
    headers = {**admin, "Content-Type": "application/json"}
    response = await client.request(method, path, content=body, headers=headers)
    assert response.status_code < 500, (path, body, response.text)


@EXAMPLES
@given(data=st.data())
async def test_query_strings_never_answer_5xx(
    client: httpx.AsyncClient, admin: dict[str, str], data: st.DataObject
) -> None:
    path, keys = data.draw(st.sampled_from(QUERIES))
    params = data.draw(st.dictionaries(st.sampled_from(keys), st.text(max_size=60), max_size=4))
    response = await client.get(path, params=params)
    assert response.status_code < 500, (path, params, response.text)


def _frames(union: Any) -> st.SearchStrategy[str]:
    """Frames of every type the union knows, their own fields filled with anything, plus
    text that is not a frame at all."""
    typed = []
    for struct in get_args(union):
        tag = struct.__struct_config__.tag
        names = [field.name for field in msgspec.structs.fields(struct)]
        typed.append(
            _object_with(names or ["x"]).map(lambda value, tag=tag: {**value, "type": tag})
        )
    return st.one_of(*typed).map(json.dumps) | st.text(max_size=80)


class Line:
    """A socket that is reopened whenever the server closed it, after checking it said why."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client: ChatClient | None = None
        self.close_codes: list[int | None] = []

    async def send(self, text: str) -> list[dict[str, Any]]:
        if self.client is None:
            self.client = ChatClient(await websockets.connect(self.url))
        try:
            await self.client.connection.send(text)
            return await self.client.collect(0.06)
        except websockets.ConnectionClosed as closed:
            self.close_codes.append(closed.rcvd.code if closed.rcvd else None)
            self.client = None
            return []

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


@pytest.fixture
async def visitor_line(live_url: str) -> AsyncIterator[Line]:
    token = await new_visitor(live_url)
    line = Line(f"{live_url.replace('http', 'ws', 1)}/ws/visitor?token={token}")
    yield line
    await line.close()
    assert all(code not in (None, 1006, 1011) for code in line.close_codes), line.close_codes


@pytest.fixture
async def agent_line(live_url: str, make_agent: Any) -> AsyncIterator[Line]:
    token = await agent_token(live_url, await make_agent("Fuzz", role="admin"), PASSWORD)
    line = Line(f"{live_url.replace('http', 'ws', 1)}/ws/agent?token={token}")
    yield line
    await line.close()
    assert all(code not in (None, 1006, 1011) for code in line.close_codes), line.close_codes


SOCKET_EXAMPLES = examples(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SOCKET_EXAMPLES
@given(text=_frames(VisitorFrame))
async def test_visitor_frames_get_answers_never_a_dead_socket(
    visitor_line: Line, text: str
) -> None:
    for frame in await visitor_line.send(text):
        if frame["type"] == "error":
            assert frame["code"] != UNEXPECTED, (text, frame)


@SOCKET_EXAMPLES
@given(text=_frames(AgentFrame))
async def test_agent_frames_get_answers_never_a_dead_socket(agent_line: Line, text: str) -> None:
    for frame in await agent_line.send(text):
        if frame["type"] == "error":
            assert frame["code"] != UNEXPECTED, (text, frame)
