"""Where a full knowledge-base build's work goes: the CPU seconds of each phase of Parley's build,
run one after another in one process without a profiler (a profiler inflates the many small
calls of the segment writer and of the analysis), beside the CPU seconds of plain Whoosh's whole
build of the same files (``_whoosh.py``, as its own process). In a real build every phase but
the last runs in the parse workers (the parent is one of them), each over its share of the
files; the last, the commit, in the parent alone.

    .venv/bin/python benchmarks/kb_build_phases.py [KB_DIR]   # default: ../shared/evaldata/corpora

CPU time rather than wall time: on a shared machine it is what stays comparable between runs.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from whoosh.filedb.filestore import FileStorage

from parley.knowledge.articles import Article, discover, load_or_problem, render_page
from parley.knowledge.schema import INDEX_NAME, documents, meaning, schema
from parley.knowledge.segments import SegmentBuilder, commit_segments

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "evaldata" / "corpora"
WHOOSH = Path(__file__).with_name("_whoosh.py")
T = TypeVar("T")


def cpu(phases: dict[str, float], name: str, work: Callable[[], T]) -> T:
    started = time.process_time()
    result = work()
    phases[name] = time.process_time() - started
    return result


def main() -> None:
    kb_dir = (Path(sys.argv[1]) if len(sys.argv) > 1 else CORPORA).resolve()
    paths = discover(kb_dir) if kb_dir.is_dir() else []
    if not paths:
        sys.exit(f"no Markdown files at {kb_dir}: pass a KB dir, or provide ../shared/evaldata")
    meaning("warm", "up")  # loads the word vectors: a worker does it once, before any file
    phases: dict[str, float] = {}
    loaded = cpu(
        phases, "read, front matter, text", lambda: [load_or_problem(p, kb_dir) for p in paths]
    )
    articles = [a for a in loaded if isinstance(a, Article) and not a.draft]
    shown: dict[str, float] = {}
    cpu(shown, "HTML render", lambda: [render_page(a) for a in articles])
    cpu(phases, "meaning vectors", lambda: [meaning(a.title, a.text) for a in articles])
    vectors = iter(lambda: b"", None)  # the vectors are timed above: analysis alone here
    docs = cpu(phases, "analysis", lambda: [d for a in articles for d in documents(a, vectors)])
    with tempfile.TemporaryDirectory() as tmp:
        storage = FileStorage(tmp)
        ix = storage.create_index(schema(), indexname=INDEX_NAME)
        builder = SegmentBuilder(storage, INDEX_NAME, ix.schema)
        cpu(phases, "segment: documents", lambda: [builder.add(d) for d in docs])
        segment = cpu(phases, "segment: postings, files", builder.finish)
        cpu(phases, "commit (parent)", lambda: commit_segments(ix, [segment]))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = [sys.executable, str(WHOOSH), str(kb_dir), str(Path(tmp) / "whoosh")]
        subprocess.run(command, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    whoosh = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    total = sum(phases.values())
    print(f"{len(paths)} files; CPU seconds, one process, no profiler")
    for name, seconds in phases.items():
        print(
            f"  {name:28} {seconds:6.2f}  {seconds / total:4.0%}  {seconds / whoosh:5.2f}× Whoosh"
        )
    print(f"  {'Parley, all phases':28} {total:6.2f}        {total / whoosh:5.2f}× Whoosh")
    print(f"  {'plain Whoosh, whole process':28} {whoosh:6.2f}")
    render = shown["HTML render"]
    print(f"  not in the build: every article's HTML render (on first view) {render:6.2f}", end="")
    print(f" ({render / len(articles) * 1000:.1f} ms an article)")


if __name__ == "__main__":
    main()
