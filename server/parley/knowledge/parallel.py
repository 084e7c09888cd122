"""Parsing many files at once: reading Markdown and analysing it are pure Python, so an update
of many files spreads them over worker processes (spawned, never forked: the server has
threads) while the parent feeds Whoosh; small batches, the common case for edits, stay
in-process. Full builds go further (``build.py``): their workers also write the index.
A rebuild hands the workers unchanged articles as the index holds them (``Indexed``): only
their analysis is redone."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from parley.knowledge.articles import Problem, load_or_problem
from parley.knowledge.schema import Indexed, Prepared, prepare

# Below this many files the cost of starting workers outweighs what they save.
PARALLEL_THRESHOLD = 200
CHUNK = 16
MAX_WORKERS = 4  # each worker of a build writes a segment that every search then reads

# Called with (files parsed, files to parse) as a sync goes: the CLI draws a progress bar.
Progress = Callable[[int, int], None]
# A file to read, or an unchanged file's article as the index already holds it.
Task = Path | Indexed


def build_workers() -> int:
    """Parse workers for a build started by a command (one per core, a few at most)."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def parse_files(tasks: list[Task], kb_dir: Path, workers: int = 1) -> Iterator[Prepared | Problem]:
    """Each file as index documents or the ``Problem`` that kept it out, in the order given,
    yielded as soon as it is ready.

    ``workers`` > 1 spawns that many processes. Spawned children re-import the program's main
    module, so only callers whose entry point is guarded by ``if __name__ == "__main__"`` (the
    CLI, the server, pytest, the benchmark) should ask for more than one."""
    if workers <= 1 or len(tasks) < PARALLEL_THRESHOLD:
        yield from (prepare_task(task, kb_dir) for task in tasks)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(prepare_task, tasks, [kb_dir] * len(tasks), chunksize=CHUNK)


def prepare_task(task: Task, kb_dir: Path) -> Prepared | Problem:
    """Parse, render and analyse one file, or only analyse an ``Indexed`` article again (in a
    worker: the parent only writes to Whoosh)."""
    if isinstance(task, Indexed):
        return task.prepare()
    result = load_or_problem(task, kb_dir)
    return result if isinstance(result, Problem) else prepare(result)
