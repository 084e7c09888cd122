"""Full builds: every file parsed, analysed and written into index segments by worker processes,
then committed as one generation.

Each worker (the parent is one of them) takes chunks of files, in path order, from a shared
queue, so a busy core slows the build only by its share, and writes what it parses into a
segment of its own (``segments.SegmentBuilder``): no documents travel between processes, and
the parent's only extra work is reporting progress and committing the segments side by side.
Workers are *spawned*, never forked (the server has threads), and re-import the program's main
module: only ``__main__``-guarded entry points should ask for more than one.

A slug belongs to its first claimant by path. Workers cannot know what the others claim, so
they write every article; the parent then marks each later claimant's documents deleted and
adds its ``duplicate slug`` problem in a small segment of its own.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from parley.knowledge.articles import Problem, duplicate_slug
from parley.knowledge.parallel import PARALLEL_THRESHOLD, Progress, Task, prepare_task
from parley.knowledge.schema import schema, source_document
from parley.knowledge.segments import SegmentBuilder, build_segment, commit_segments

CHUNK = 16  # files a worker takes at a time: small enough to share the last ones out evenly
POLL_S = 1.0  # how often the parent checks that no worker died while it waits

Job = tuple[str, str, Task]  # (path, fingerprint taken before reading, what to parse)


@dataclass(frozen=True)
class Written:
    """One file as a worker wrote it: its documents are ``first`` … ``first + count - 1``."""

    path: str
    slug: str  # the slug its article claims; "" for a draft or a problem
    first: int
    count: int


@dataclass
class Part:
    """One worker's segment and the files in it."""

    segment: Any
    files: list[Written] = field(default_factory=list)


@dataclass(frozen=True)
class Failed:
    """A worker's error, as text (its traceback would not survive pickling)."""

    report: str


class PartBuilder:
    """Files → documents of one segment, remembering where each file's documents went."""

    def __init__(self, storage: FileStorage, index_name: str, kb_dir: Path) -> None:
        self.kb_dir = kb_dir
        self._builder = SegmentBuilder(storage, index_name, schema())
        self._files: list[Written] = []

    def add(self, job: Job) -> None:
        rel, stamp, task = job
        result = prepare_task(task, self.kb_dir)
        if isinstance(result, Problem):
            documents, slug = [source_document(rel, stamp, result, claims="")], ""
        elif result.draft:
            documents, slug = [source_document(rel, stamp, None, claims="")], ""
        else:
            documents, slug = list(result.stamped(stamp)), result.slug
        first = self._builder.doc_count
        for document in documents:
            self._builder.add(document)
        self._files.append(Written(rel, slug, first, len(documents)))

    def finish(self) -> Part:
        return Part(self._builder.finish(), self._files)


def build(
    ix: Any,
    kb_dir: Path,
    jobs: Iterable[Job],
    expected: int,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[str]:
    """Write ``jobs`` into new segments of ``ix`` (a ``whoosh.index.FileIndex``) and commit
    them as its only ones: the paths written, in order. ``jobs`` are taken as the workers
    start (taking a fingerprint reads the file), ``expected`` says about how many there are.
    ``progress`` hears how many files have been parsed of how many."""
    stamps: dict[str, str] = {}
    listed = ((rel, stamps.setdefault(rel, stamp), task) for rel, stamp, task in jobs)
    if workers > 1 and expected >= PARALLEL_THRESHOLD:
        parts = _in_workers(ix, kb_dir, listed, stamps, workers, progress)
    else:
        parts = [_in_process(ix, kb_dir, list(listed), progress)]
    duplicates = list(_drop_duplicates(parts, stamps))
    if duplicates:
        parts.append(Part(build_segment(ix, duplicates)))
    commit_segments(ix, [p.segment for p in parts if p.segment.doc_count_all()])
    return sorted(stamps)


def _in_process(ix: Any, kb_dir: Path, jobs: list[Job], progress: Progress | None) -> Part:
    part = PartBuilder(ix.storage, ix.indexname, kb_dir)
    for done, job in enumerate(jobs, start=1):
        part.add(job)
        if progress is not None:
            progress(done, len(jobs))
    return part.finish()


def _in_workers(
    ix: Any,
    kb_dir: Path,
    jobs: Iterable[Job],
    stamps: dict[str, str],
    workers: int,
    progress: Progress | None,
) -> list[Part]:
    """``stamps`` fills with each job's path and fingerprint as ``jobs`` are read. The parent
    is one of the ``workers``: it spawns one process fewer and takes chunks as they do, which
    saves a whole interpreter's start (imports, word vectors: about 0.6 CPU s)."""
    context = multiprocessing.get_context("spawn")
    chunks: Queue[list[Job] | None] = context.Queue()
    results: Queue[int | Part | Failed] = context.Queue()
    where = (str(ix.storage.folder), ix.indexname)
    processes = [
        context.Process(target=work, args=(chunks, results, where, kb_dir), daemon=True)
        for _ in range(workers - 1)
    ]
    for process in processes:
        process.start()  # they import while the files are listed and fingerprinted
    parts: list[Part] = []
    done = 0

    def heard(message: int | Part | Failed) -> None:
        nonlocal done
        if isinstance(message, Failed):
            raise RuntimeError(f"a knowledge-base build worker failed:\n{message.report}")
        if isinstance(message, Part):
            parts.append(message)
        else:
            done += message
            if progress is not None:
                progress(done, len(stamps))

    try:
        chunk: list[Job] = []
        for job in jobs:
            chunk.append(job)
            if len(chunk) == CHUNK:
                chunks.put(chunk)
                chunk = []
        for last in ([chunk] if chunk else []) + [None] * workers:
            chunks.put(last)  # then one "no more" for each worker, the parent included
        own = PartBuilder(ix.storage, ix.indexname, kb_dir)
        while (taken := chunks.get()) is not None:
            for job in taken:
                own.add(job)
            heard(len(taken))
            with contextlib.suppress(queue.Empty):
                while True:  # what the others have done meanwhile
                    heard(results.get_nowait())
        parts.append(own.finish())
        while len(parts) < workers:
            try:
                heard(results.get(timeout=POLL_S))
            except queue.Empty:
                # A worker that has exited has flushed what it sent: nothing more will come.
                if all(process.exitcode is not None for process in processes):
                    raise RuntimeError("a knowledge-base build worker died") from None
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    # Segments in the order of their first file, so documents stay roughly in path order.
    return sorted(parts, key=lambda p: p.files[0].path if p.files else "")


def work(
    chunks: Queue[list[Job] | None],
    results: Queue[int | Part | Failed],
    where: tuple[str, str],
    kb_dir: Path,
) -> None:
    """A build worker: parse and write chunks until told there are no more, then hand back
    its finished segment (``Part``). ``where``: the index's folder and name."""
    try:
        folder, index_name = where
        part = PartBuilder(FileStorage(folder), index_name, kb_dir)
        while (chunk := chunks.get()) is not None:
            for job in chunk:
                part.add(job)
            results.put(len(chunk))
        results.put(part.finish())
    except BaseException:
        results.put(Failed(traceback.format_exc()))


def _drop_duplicates(parts: list[Part], stamps: dict[str, str]) -> Iterable[dict[str, object]]:
    """Delete the documents of every article whose slug an earlier path claims; yield the
    documents that record those files as problems instead."""
    located = sorted(
        ((w, part.segment) for part in parts for w in part.files), key=lambda item: item[0].path
    )
    owners: dict[str, str] = {}
    for written, segment in located:
        rel = written.path
        owner = owners.setdefault(written.slug, rel)
        if not written.slug or owner == rel:
            continue
        for docnum in range(written.first, written.first + written.count):
            segment.delete_document(docnum)
        problem = duplicate_slug(rel, written.slug, owner)
        yield source_document(rel, stamps[rel], problem, claims=written.slug)
