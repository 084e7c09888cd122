"""The admin pages' JSON API under ``/api/v1/console/admin/``: agents, teams, labels, site
settings.

Admins only (an agent gets 403, nobody signed in 401); every write also needs the
``X-CSRF-Token`` header. Bad input is refused before anything is stored.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from parley.console import csrf, labels
from parley.conversation.labels import DEFAULT_LABEL_COLOUR
from parley.conversation.store import conversation_by_id
from parley.conversation.store import labels as label_store
from parley.errors import BadRequest, Forbidden
from parley.identity import store as identity
from parley.identity.agents import change_agent, check_capacity, create_agent, reset_password
from parley.identity.store import Agent, Team
from parley.services import services
from parley.web.auth import require_agent
from parley.web.json import optional_text, read_json_object, required_text

PREFIX = "/api/v1/console/admin"


async def require_admin(request: Request) -> Agent:
    agent = await require_agent(request)
    if agent.role != "admin":
        raise Forbidden("only admins may do this", code="admins_only")
    return agent


async def _admin_writer(request: Request) -> Agent:
    agent = await require_admin(request)
    csrf.verify_header(request)
    return agent


def _ids(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"{name} must be a list of ids")
    return value


def _agent_json(agent: Agent, teams: list[Team]) -> dict[str, Any]:
    return {
        **agent.public(),
        "disabled": agent.disabled,
        "capacity": agent.capacity,
        "team_ids": [team.id for team in teams if agent.id in team.member_ids],
        "created_at": agent.created_at.isoformat(),
    }


def _team_json(team: Team) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "locale": team.locale,
        "member_ids": team.member_ids,
        "default": team.name == identity.DEFAULT_TEAM,  # routing's fallback: keeps its name
    }


async def list_agents(request: Request) -> Response:
    await require_admin(request)
    db = services(request).db
    teams = await identity.list_teams(db)
    agents = [_agent_json(agent, teams) for agent in await identity.list_agents(db)]
    return JSONResponse({"agents": agents})


async def create(request: Request) -> Response:
    await _admin_writer(request)
    body = await read_json_object(request)
    db = services(request).db
    agent = await create_agent(
        db,
        email=required_text(body, "email"),
        name=required_text(body, "name"),
        password=required_text(body, "password"),
        role=optional_text(body, "role") or "agent",
        capacity=check_capacity(body.get("capacity", 3)),
        team_ids=_ids(body, "team_ids"),
    )
    return JSONResponse(_agent_json(agent, await identity.list_teams(db)), status_code=201)


async def update(request: Request) -> Response:
    await _admin_writer(request)
    body = await read_json_object(request)
    disabled = body.get("disabled")
    if disabled is not None and not isinstance(disabled, bool):
        raise BadRequest("disabled must be true or false")
    found = services(request)
    agent = await change_agent(
        found.db,
        found.bus,
        request.path_params["agent_id"],
        role=optional_text(body, "role"),
        capacity=body.get("capacity"),
        disabled=disabled,
        team_ids=_ids(body, "team_ids"),
    )
    return JSONResponse(_agent_json(agent, await identity.list_teams(found.db)))


async def set_password(request: Request) -> Response:
    """An admin gives another agent a new password; every session of theirs ends. Not one's
    own: that would let a borrowed session lock its owner out without knowing their password."""
    admin = await _admin_writer(request)
    agent_id = request.path_params["agent_id"]
    if agent_id == admin.id:
        raise Forbidden(
            "change your own password under your name in the console, or ask another admin",
            code="own_password",
        )
    body = await read_json_object(request)
    found = services(request)
    agent = await reset_password(
        found.db, found.bus, found.login_throttle, agent_id, required_text(body, "password")
    )
    return JSONResponse(_agent_json(agent, await identity.list_teams(found.db)))


def _team_name(body: dict[str, Any]) -> str | None:
    name = optional_text(body, "name")
    if name is not None and not 1 <= len(name.strip()) <= 100:
        raise BadRequest("name must be 1 to 100 characters", code="invalid_name")
    return None if name is None else name.strip()


def _team_locale(body: dict[str, Any]) -> str | None:
    """A language such as ``pl`` (visitors in it go to this team); ``""`` means none."""
    locale = optional_text(body, "locale")
    if locale is not None and len(locale.strip()) > 16:
        raise BadRequest("locale must be a language code such as pl", code="invalid_locale")
    return None if locale is None else locale.strip()


async def list_teams(request: Request) -> Response:
    await require_admin(request)
    teams = await identity.list_teams(services(request).db)
    return JSONResponse({"teams": [_team_json(team) for team in teams]})


async def create_team(request: Request) -> Response:
    await _admin_writer(request)
    body = await read_json_object(request)
    name = _team_name(body)
    if name is None:
        raise BadRequest("name is required", code="invalid_name")
    team = await identity.create_team(services(request).db, name, _team_locale(body) or None)
    return JSONResponse(_team_json(team), status_code=201)


async def update_team(request: Request) -> Response:
    await _admin_writer(request)
    body = await read_json_object(request)
    team = await identity.update_team(
        services(request).db,
        request.path_params["team_id"],
        name=_team_name(body),
        locale=_team_locale(body),
        member_ids=_ids(body, "member_ids"),
    )
    return JSONResponse(_team_json(team))


async def delete_team(request: Request) -> Response:
    """Members leave the team; its conversations move to the default team (identity.store),
    and the router runs at once so the queued ones do not wait for the next pass."""
    await _admin_writer(request)
    found = services(request)
    for conversation_id in await identity.delete_team(found.db, request.path_params["team_id"]):
        moved = await conversation_by_id(found.db, conversation_id)
        if moved is not None:
            await found.conversations.announce_to_agents(moved)  # its SUMMARY's team changed
    await found.routing.assign_waiting()
    return Response(status_code=204)


async def create_label(request: Request) -> Response:
    admin = await _admin_writer(request)
    body = await read_json_object(request)
    found = services(request)
    label = await label_store.create_label(
        found.db,
        name=required_text(body, "name"),
        colour=optional_text(body, "colour") or DEFAULT_LABEL_COLOUR,
        description=optional_text(body, "description") or "",
        created_by=admin.id,
    )
    await labels.announce(found)
    return JSONResponse(label.public(), status_code=201)


async def update_label(request: Request) -> Response:
    """Rename (every conversation carrying it follows, in one transaction), recolour, describe."""
    await _admin_writer(request)
    body = await read_json_object(request)
    found = services(request)
    label, relabelled = await label_store.change_label(
        found.db,
        request.path_params["label_id"],
        name=optional_text(body, "name"),
        colour=optional_text(body, "colour"),
        description=optional_text(body, "description"),
    )
    await labels.announce(found, relabelled)
    return JSONResponse(label.public())


async def delete_label(request: Request) -> Response:
    """Off the list and off every conversation carrying it."""
    await _admin_writer(request)
    found = services(request)
    await labels.announce(
        found, await label_store.delete_label(found.db, request.path_params["label_id"])
    )
    return Response(status_code=204)


async def read_settings(request: Request) -> Response:
    await require_admin(request)
    return JSONResponse({"settings": services(request).site.current.describe()})


async def write_settings(request: Request) -> Response:
    admin = await _admin_writer(request)
    body = await read_json_object(request)
    changed = await services(request).site.change(body, admin.id)
    return JSONResponse({"settings": changed.describe()})


routes = [
    Route(f"{PREFIX}/agents", list_agents, methods=["GET"]),
    Route(f"{PREFIX}/agents", create, methods=["POST"]),
    Route(f"{PREFIX}/agents/{{agent_id}}", update, methods=["PATCH"]),
    Route(f"{PREFIX}/agents/{{agent_id}}/password", set_password, methods=["PUT"]),
    Route(f"{PREFIX}/teams", list_teams, methods=["GET"]),
    Route(f"{PREFIX}/teams", create_team, methods=["POST"]),
    Route(f"{PREFIX}/teams/{{team_id}}", update_team, methods=["PATCH"]),
    Route(f"{PREFIX}/teams/{{team_id}}", delete_team, methods=["DELETE"]),
    Route(f"{PREFIX}/labels", create_label, methods=["POST"]),
    Route(f"{PREFIX}/labels/{{label_id}}", update_label, methods=["PATCH"]),
    Route(f"{PREFIX}/labels/{{label_id}}", delete_label, methods=["DELETE"]),
    Route(f"{PREFIX}/settings", read_settings, methods=["GET"]),
    Route(f"{PREFIX}/settings", write_settings, methods=["PUT"]),
]
