"""The ``parley`` command: serve, db, agents, teams, conversations, kb, issues, reports, version.

Every subcommand reads the same ``PARLEY_*`` settings as the server and calls the same service
functions as the HTTP layer, so what works here works there.

Each subcommand's module is imported when it runs: ``parley kb index`` then imports the
knowledge package, not the whole server (about 1 s of the parent's start on this machine,
while the parse workers it spawns wait for it). ``cli_server.py`` holds the commands that need
the server or the database, ``cli_kb.py`` the knowledge base's.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import time
from collections.abc import Callable, Iterator
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

from parley import __version__
from parley.config import Settings
from parley.errors import ParleyError

if TYPE_CHECKING:
    from parley.knowledge.parallel import Progress

REDRAWS = 200  # at most this many redraws of a progress bar
# Subcommand → "module:attribute" it lives in, imported when the subcommand runs.
SUBCOMMANDS = {
    "serve": "parley.cli_server:serve",
    "db": "parley.cli_server:db",
    "agents": "parley.cli_server:agents",
    "teams": "parley.cli_server:teams",
    "conversations": "parley.cli_server:conversations",
    "kb": "parley.cli_kb:kb",
    "issues": "parley.cli_server:issues",
    "reports": "parley.cli_server:reports",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported from ``SUBCOMMANDS`` when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *SUBCOMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, name = SUBCOMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ParleyError as exc:
        raise click.ClickException(exc.message) from None


def reports_config_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ParleyError as exc:
            raise click.ClickException(exc.message) from None

    return wrapper


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Parley: a self-hosted support chat widget and knowledge base."""


@main.command()
def version() -> None:
    """Print Parley's version."""
    click.echo(f"parley {__version__}")


@contextlib.contextmanager
def terminal_progress(label: str) -> Iterator[Progress | None]:
    """A progress bar on stderr (files parsed of total, rate, time left) when stderr is a
    terminal; nothing otherwise, so logs and pipes stay clean. Drawn from the first file on."""
    if not sys.stderr.isatty():
        yield None
        return
    started = time.monotonic()
    bars: list[Any] = []

    def show(done: int, total: int) -> None:
        if not bars:
            bars.append(
                click.progressbar(
                    length=total,
                    label=label,
                    file=sys.stderr,
                    show_pos=True,
                    show_eta=True,
                    item_show_func=lambda rate: rate,
                    update_min_steps=max(1, total // REDRAWS),  # not one redraw per file
                )
            )
        bar = bars[0]
        rate = done / max(time.monotonic() - started, 1e-3)
        bar.update(done - bar.pos, f"{rate:,.0f} files/s")

    try:
        yield show
    finally:
        if bars:
            bars[0].render_finish()
