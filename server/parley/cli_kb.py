"""``parley kb``: index, check, report. Imports the knowledge package only (not the server), so
a build's parent process starts its parse workers soon."""

from __future__ import annotations

import dataclasses
import time

import click

from parley.cli import load_settings, terminal_progress
from parley.config import Settings
from parley.knowledge import build_workers, index_contents, load_all, update_index


@click.group()
def kb() -> None:
    """Knowledge base: index, check, report."""


def _kb_settings() -> Settings:
    settings = load_settings()
    if not settings.kb_dir.is_dir():
        raise click.ClickException(f"PARLEY_KB_DIR {settings.kb_dir} does not exist")
    return settings


@kb.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating.")
def kb_index(rebuild: bool) -> None:
    """Build or update the search index (a running server also re-indexes edits by itself)."""
    settings = _kb_settings()
    started = time.perf_counter()
    with terminal_progress("Indexing") as progress:
        sync = update_index(
            settings.kb_dir,
            settings.index_dir,
            workers=build_workers(),
            rebuild=rebuild,
            progress=progress,
        )
    # Counted from stored fields: loading the index for search would add seconds, for nothing.
    found = index_contents(settings.kb_dir, settings.index_dir)
    changed = f"{len(sync.indexed)} files indexed, {len(sync.removed)} removed"
    click.echo(
        f"{found.articles} articles, {found.faq_items} FAQ items, "
        f"{len(found.locales)} locales ({', '.join(found.locales)}), {found.problems} problems "
        f"in {time.perf_counter() - started:.2f} s ({changed})"
    )
    if found.problems:
        click.echo("see them with: parley kb check")


@kb.command("check")
def kb_check() -> None:
    """List every file the knowledge base cannot use, as path:line: message (exit 1 if any)."""
    settings = _kb_settings()
    articles, problems = load_all(settings.kb_dir)
    for problem in problems:
        click.echo(str(dataclasses.replace(problem, path=str(settings.kb_dir / problem.path))))
    if problems:
        raise SystemExit(1)
    click.echo(f"no problems ({len(articles)} articles)")


@kb.command("report")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True)
def kb_report(days: int) -> None:
    """Top searches, searches that found nothing, articles readers found unhelpful."""
    # The database's and the report's imports, for this command only.
    from parley.cli_server import run_with_db
    from parley.knowledge.insights import build_report

    click.echo(run_with_db(lambda db: build_report(db, days=days)).as_text())
