"""The ``parley`` command's entry point, kept free of imports.

Parse workers are spawned processes, and a spawned child re-imports the program's main script,
which imports this module: importing the CLI here would cost every worker the whole server's
imports (about as long as the worker then spends parsing). The CLI is imported when the
command runs, in the one process that runs it."""

from __future__ import annotations


def main() -> None:
    from parley.cli import main as cli

    cli(prog_name="parley")
