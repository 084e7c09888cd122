"""The subcommands that need the server or its database: serve, db, agents, teams,
conversations, issues, reports (``cli.py`` imports this module when one of them runs)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import uvicorn

from parley import __version__, clock, knownissues
from parley.bus import Bus
from parley.bus.memory import MemoryBus
from parley.bus.redis import RedisBus
from parley.cli import load_settings, reports_config_errors, terminal_progress
from parley.config import Settings, hand_to_workers
from parley.conversation import store as conversation_store
from parley.conversation.store import Episode, Event
from parley.db import Database
from parley.errors import NotFound, ParleyError
from parley.identity import store
from parley.identity.agents import (
    ROLES,
    change_agent,
    create_agent,
    normalize_email,
    reset_password,
)
from parley.identity.store import Agent
from parley.identity.throttle import LoginThrottle, MemoryLoginThrottle, RedisLoginThrottle
from parley.knowledge import build_workers, update_index
from parley.knownissues import Report as IssuesReport
from parley.knownissues.store import Counts, KnownIssue
from parley.reports.catalog import REPORTS, Report
from parley.reports.export import compared_text
from parley.reports.request import parse_request
from parley.serving import SERVER_OPTIONS
from parley.sitesettings import effective
from parley.sitesettings import store as site_store

T = TypeVar("T")


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database (migrated), run ``work``, close it; errors become one line."""

    async def runner() -> T:
        settings = load_settings()
        db = Database(settings.resolved_database_url, pool_size=settings.database_pool_size)
        try:
            await db.upgrade()
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(runner())
    except ParleyError as exc:
        raise click.ClickException(exc.message) from None


@click.command()
@click.option(
    "--host", default=None, help="Address to listen on [default: PARLEY_HOST or 127.0.0.1]."
)
@click.option("--port", type=int, default=None, help="Port [default: PARLEY_PORT or 8000].")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (more than one needs PARLEY_REDIS_URL).",
)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@reports_config_errors
def serve(host: str | None, port: int | None, workers: int, reload: bool) -> None:
    """Serve the widget, help center, console and API."""
    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    # Each worker reads its settings from the environment: give it the address it serves on
    # (the default public URL, PARLEY_PUBLIC_URL unset, is made from it).
    hand_to_workers(host=host, port=str(port))
    if workers > 1 and not settings.redis_url:
        raise click.ClickException(
            "--workers above 1 needs PARLEY_REDIS_URL: workers share conversations through Redis"
        )
    run_with_db(lambda db: asyncio.sleep(0))  # migrate once, before any worker starts
    settings.signing_key()  # likewise: create the key before workers race for it
    # … and index the KB here, with parse workers and a progress bar: the server (each of its
    # workers) then opens an index that is up to date.
    with terminal_progress("Indexing the knowledge base") as progress:
        update_index(
            settings.kb_dir, settings.index_dir, workers=build_workers(), progress=progress
        )
    base = f"http://{host}:{port}"
    click.echo(
        f"Parley {__version__} on {base}\n"
        f"  demo page:    {base}/\n"
        f"  help center:  {base}/help\n"
        f"  console:      {base}/console  (first run: it asks for the setup token in the log)\n"
        "  first agent:  .venv/bin/parley agents create --email you@example.com "
        "--name 'Your Name' --password '...' --role admin"
    )
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    uvicorn.run(
        "parley.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers if not reload else None,
        reload=reload,
        **SERVER_OPTIONS,
        access_log=False,
        log_level=settings.log_level.lower(),
        log_config=None,
    )


@click.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (also done at server start)."""
    run_with_db(lambda db: asyncio.sleep(0))
    click.echo("database is up to date")


@click.group()
def agents() -> None:
    """Create, list and disable agents, and set their passwords."""


@agents.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
def agents_create(email: str, name: str, password: str, role: str) -> None:
    """Create an agent who can sign in to the console."""
    agent = run_with_db(
        lambda db: create_agent(db, email=email, name=name, password=password, role=role)
    )
    click.echo(f"created {agent.role} {agent.name} <{agent.email}> ({agent.id})")


@agents.command("list")
def agents_list() -> None:
    """List every agent."""
    for agent in run_with_db(store.list_agents):
        state = "disabled" if agent.disabled else "active"
        click.echo(f"{agent.id}  {agent.email:<32} {agent.name:<24} {agent.role:<6} {state}")


def _shared_with_servers(settings: Settings) -> tuple[Bus, LoginThrottle]:
    """The bus and sign-in throttle the running servers use, when they share them (Redis)."""
    if not settings.redis_url:
        return MemoryBus(), MemoryLoginThrottle(settings.login_max_failures)
    bus = RedisBus(settings.redis_url)
    return bus, RedisLoginThrottle(bus.redis, settings.login_max_failures)


AgentChange = Callable[[Database, Bus, LoginThrottle, Agent], Awaitable[object]]


def _change_agent(email: str, change: AgentChange) -> str:
    """Run ``change`` on the agent with ``email``; their email. With Redis, the running servers
    hear of it (the agent's open consoles close) and share the sign-in throttle; without,
    only the database changes."""

    async def run(db: Database) -> str:
        agent = await store.agent_by_email(db, normalize_email(email))
        if agent is None:
            raise click.ClickException(f"no agent with email {email}")
        bus, throttle = _shared_with_servers(load_settings())
        await bus.start()
        try:
            await change(db, bus, throttle, agent)
        finally:
            await bus.close()
        return agent.email

    return run_with_db(run)


@agents.command("disable")
@click.argument("email")
def agents_disable(email: str) -> None:
    """Disable an agent: they are signed out and cannot sign in. The last admin stays."""

    def disable(db: Database, bus: Bus, _: LoginThrottle, agent: Agent) -> Awaitable[Agent]:
        return change_agent(db, bus, agent.id, disabled=True)

    click.echo(f"disabled {_change_agent(email, disable)}")


def _new_password() -> str:
    """Typed twice, hidden, on a terminal; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        return str(click.prompt("New password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@agents.command("password")
@click.argument("email")
def agents_password(email: str) -> None:
    """Set an agent's password (yours too); every session of theirs ends.

    On a terminal it asks twice; otherwise it reads one line from standard input:

    \b
        printf '%s\\n' "$NEW_PASSWORD" | parley agents password ann@example.com
    """
    password = _new_password()

    def reset(db: Database, bus: Bus, throttle: LoginThrottle, agent: Agent) -> Awaitable[Agent]:
        return reset_password(db, bus, throttle, agent.id, password)

    click.echo(f"new password set for {_change_agent(email, reset)}; their sessions have ended")


@click.group()
def teams() -> None:
    """Teams: conversations queue per team; agents answer their teams' queues."""


@teams.command("create")
@click.argument("name")
@click.option("--locale", default=None, help="Visitors with this language go to this team.")
def teams_create(name: str, locale: str | None) -> None:
    """Create a team."""
    team = run_with_db(lambda db: store.create_team(db, name.strip(), locale))
    click.echo(f"created team {team.name} ({team.id})")


@teams.command("add")
@click.argument("name")
@click.argument("email")
def teams_add(name: str, email: str) -> None:
    """Add the agent with EMAIL to team NAME."""

    async def add(db: Database) -> None:
        team = next((t for t in await store.list_teams(db) if t.name == name), None)
        agent = await store.agent_by_email(db, normalize_email(email))
        if team is None or agent is None:
            raise click.ClickException(f"no team {name!r}" if team is None else f"no agent {email}")
        await store.add_team_member(db, team.id, agent.id)

    run_with_db(add)
    click.echo(f"added {email} to {name}")


@teams.command("list")
def teams_list() -> None:
    """List teams with their locale and member count."""
    for team in run_with_db(store.list_teams):
        click.echo(f"{team.name:<24} {team.locale or '-':<6} {len(team.member_ids)} members")


@click.group()
def conversations() -> None:
    """Conversations: their episodes and event log."""


@conversations.command("show")
@click.argument("conversation_id")
def conversations_show(conversation_id: str) -> None:
    """A conversation's episodes, then every event of its life in order."""

    async def read(db: Database) -> tuple[list[Episode], list[Event]]:
        if await conversation_store.conversation_by_id(db, conversation_id) is None:
            raise NotFound(f"no conversation {conversation_id}")
        return (
            await conversation_store.episodes_of(db, conversation_id),
            await conversation_store.events_of(db, conversation_id),
        )

    episodes, events = run_with_db(read)
    for episode in episodes:
        rating = f"rated {episode.rating}" if episode.rating else "unrated"
        click.echo(
            f"episode {episode.number}: opened {clock.iso(episode.opened_at)} by "
            f"{episode.opened_by}; first response {_seconds(episode.first_response_seconds)}; "
            f"resolved {clock.iso(episode.resolved_at) or '-'} by {episode.resolved_by or '-'}; "
            f"{rating}"
        )
    for event in events:
        data = " ".join(f"{key}={value}" for key, value in event.data.items())
        click.echo(
            f"{event.id:>8} {clock.iso(event.at)} #{event.episode} {event.type:<15} "
            f"{event.agent_id or '-':<24} {data}"
        )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


@click.group()
def issues() -> None:
    """Known issues and who heard of their fix (the console's Known issues page)."""


@issues.command("list")
def issues_list() -> None:
    """Each known issue with its counts, newest first, then the totals."""

    async def work(db: Database) -> tuple[list[tuple[KnownIssue, Counts]], IssuesReport]:
        return await knownissues.listing(db), await knownissues.report(db)

    listed, totals = run_with_db(work)
    for issue, counts in listed:
        click.echo(
            f"{issue.status:<6} {counts.conversations:>5} linked {counts.notified:>5} notified "
            f"{counts.read:>5} read {counts.replied:>5} replied  {issue.title}"
        )
    click.echo(
        f"{totals.open} open, {totals.fixed} fixed; {totals.conversations} linked, "
        f"{totals.notified} notified, {totals.read} read, {totals.replied} replied"
    )


@click.group()
def reports() -> None:
    """The reports of the console and /api/v1/reports, with the same numbers."""


def _report_command(name: str, report: Report) -> None:
    @reports.command(name, help=report.summary)
    @click.option("--period", default=None, help="today, 7d, 30d (default) or 90d, ending today.")
    @click.option("--from", "first", default=None, help="First day (YYYY-MM-DD, site time zone).")
    @click.option("--to", "last", default=None, help="Last day, inclusive.")
    @click.option("--team", default=None, help="Only this team's episodes (team id).")
    @click.option("--agent", default=None, help="Only episodes this agent was assigned in (id).")
    @click.option("--label", default=None, help="Only conversations with this label.")
    @click.option("--locale", default=None, help="Only conversations in this language.")
    @click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default=None)
    def command(
        output: str | None, first: str | None, last: str | None, **filters: str | None
    ) -> None:
        named = {**filters, "from": first, "to": last}  # the API's parameter names
        asked = {key: value for key, value in named.items() if value is not None}

        async def work(db: Database) -> dict[str, Any]:
            hours = effective(load_settings(), await site_store.read_all(db)).hours
            request = parse_request(
                asked,
                viewer_id=None,
                viewer_is_admin=True,
                zone=hours.timezone,
                now=clock.now(),
                filters=report.filters,
            )
            return await report.compute(db, request.period, request.scope)

        figures = run_with_db(work)
        if output == "json":
            click.echo(json.dumps(figures, indent=2))
        elif output == "csv" or (output is None and name != "overview"):
            click.echo(report.csv(figures), nl=False)
        else:
            click.echo(compared_text(figures))


for _name, _report in REPORTS.items():
    _report_command(_name, _report)
