"""Parsing many files at once: Markdown rendering and analysis are pure Python, so a full build
spreads them over worker processes (spawned, never forked: the server has threads) and keeps
the parent free to feed Whoosh. Small batches, the common case for edits, stay in-process."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from parley.knowledge.articles import Problem, load_or_problem
from parley.knowledge.schema import Prepared, prepare

# Below this many files the cost of starting workers outweighs what they save.
PARALLEL_THRESHOLD = 200
CHUNK = 16
MAX_WORKERS = 4  # past this, the one process feeding Whoosh is the bottleneck

# Called with (files parsed, files to parse) as a sync goes: the CLI draws a progress bar.
Progress = Callable[[int, int], None]


def build_workers() -> int:
    """Parse workers for a build started by a command (one per core, a few at most)."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def parse_files(paths: list[Path], kb_dir: Path, workers: int = 1) -> Iterator[Prepared | Problem]:
    """Each file as index documents or the ``Problem`` that kept it out, in the order given,
    yielded as soon as it is ready.

    ``workers`` > 1 spawns that many processes. Spawned children re-import the program's main
    module, so only callers whose entry point is guarded by ``if __name__ == "__main__"`` (the
    CLI, the server, pytest, the benchmark) should ask for more than one."""
    if workers <= 1 or len(paths) < PARALLEL_THRESHOLD:
        yield from (prepare_file(path, kb_dir) for path in paths)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(prepare_file, paths, [kb_dir] * len(paths), chunksize=CHUNK)


def prepare_file(path: Path, kb_dir: Path) -> Prepared | Problem:
    """Parse, render and analyse one file (in a worker, the parent only writes to Whoosh)."""
    result = load_or_problem(path, kb_dir)
    return result if isinstance(result, Problem) else prepare(result)
