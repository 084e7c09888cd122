"""Knowledge-base search: quality and speed of ``parley.knowledge`` beside plain Whoosh.

Indexes the five help-center corpora of ``../shared/evaldata`` (3,292 articles: the StackFAQ
threads the queries ask about, and four other help centers as distractors) and runs the 625
development questions against both:

- **baseline**: plain Whoosh BM25F over the same files (title x2, stemming analyzer, OR of the
  words, searcher kept open), as BENCHMARKS.md defines it;
- **Parley**: ``KnowledgeBase.open`` + ``KnowledgeBase.search``, exactly what the app calls.

Also the Polish and Slovenian test collection (``_locales.py``): MRR@10 with Parley's per-locale
analysis beside the English stemmer it used for every locale before, in the same run.

Builds are timed as the commands people run, whole processes (``_commands.py``): ``parley kb
index`` on a fresh data dir, ``--rebuild`` on an existing one and ``parley serve`` until
``/healthz`` answers, beside a whole-process plain Whoosh build of the same corpus. Search time
is also given by query length (the 625 questions and the known-item titles and sentences).

Quality (MRR@10, hit@1, hit@5) is absolute; times are noisy on this shared machine, so each is
printed beside the baseline measured in the same run (queries interleaved, one at a time) and
the ratio is the claim. MRR@10 is also given per half of the questions (threads with an even
number / an odd one): a constant tuned on one half must hold on the other, since the questions
that finally judge search are not these. Run: ``.venv/bin/python benchmarks/kb_search.py``
(``--quick``: quality and search latency only: no command timings, no edit and no HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import httpx
import uvicorn

from _commands import command_rows
from _locales import collection_mrr
from _report import commit_measured, print_table
from _whoosh import Baseline
from parley.app import create_app
from parley.config import Settings
from parley.knowledge import KnowledgeBase, build_workers, watch

REPO = Path(__file__).resolve().parent.parent
EVALDATA = REPO.parent / "shared" / "evaldata"
CORPORA = EVALDATA / "corpora"
QUERIES = EVALDATA / "queries" / "stackfaq_dev.tsv"
QRELS = EVALDATA / "queries" / "stackfaq_dev.qrels"
CUTOFF = 10
EDIT_TIMEOUT_S = 30.0
EDITS = 3
KNOWN_ITEMS = 300


# Search time by query length, in words: (label, fewest, most).
LENGTHS = (("≤ 5 words", 0, 5), ("6–20 words", 6, 20), ("over 20 words", 21, 10_000))


@dataclass
class Side:
    ranks: list[int | None]  # rank of the right thread per query (None: not in the top 10)
    latencies_ms: list[float]
    edit_s: float = 0.0
    # (words, ms) of every search, the known-item ones too: long and short queries.
    by_length: list[tuple[int, float]] = field(default_factory=list)

    def timed(self, search: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
        """``search``, recording how long each call takes by the query's length."""

        def run(text: str) -> list[str]:
            started = time.perf_counter()
            found = search(text)
            self.by_length.append((len(text.split()), (time.perf_counter() - started) * 1000))
            return found

        return run

    def length_percentile(self, p: float, fewest: int, most: int) -> tuple[float, int]:
        """The ``p`` percentile (ms) of searches with ``fewest``…``most`` words, and how many."""
        ordered = sorted(ms for words, ms in self.by_length if fewest <= words <= most)
        if not ordered:
            return 0.0, 0
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))], len(ordered)

    def mrr(self, chosen: list[bool] | None = None) -> float:
        """MRR@10 over every query, or over those where ``chosen`` is true."""
        ranks = [r for i, r in enumerate(self.ranks) if chosen is None or chosen[i]]
        return sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0

    def hit(self, k: int) -> float:
        return sum(1 for r in self.ranks if r and r <= k) / len(self.ranks)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


LOAD_AT_START = os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="quality and search latency only: no command timings, no edit, no HTTP",
    )
    quick = parser.parse_args().quick
    if not CORPORA.is_dir() or not QUERIES.is_file():
        sys.exit(
            f"evaluation data not found at {EVALDATA}: this benchmark needs ../shared/evaldata"
        )
    doc_ids = stackfaq_ids()
    qrels = dict(line.split()[0::2] for line in QRELS.read_text().splitlines() if line.strip())
    queries = [line.split("\t", 1) for line in QUERIES.read_text().splitlines()[1:] if line]
    halves = [half(qrels[qid]) for qid, _ in queries]
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        work = Path(tmp)
        kb_dir = work / "kb"
        shutil.copytree(CORPORA, kb_dir)  # edits below must not touch the shared corpora

        # The builds a writer waits for, as whole processes (before the edits below).
        commands = [] if quick else command_rows(kb_dir, work)
        baseline = Baseline(kb_dir, _mkdir(work / "baseline"))
        kb = KnowledgeBase.open(kb_dir, work / "index", workers=build_workers())

        base_side = Side([], [])
        parley_side = Side([], [])
        for number, (qid, text) in enumerate(queries):
            runs: list[tuple[Side, Callable[[str], list[str]]]] = [
                (base_side, base_side.timed(baseline.search)),
                (parley_side, parley_side.timed(lambda q: parley_slugs(kb, q))),
            ]
            for side, search in runs if number % 2 else reversed(runs):
                started = time.perf_counter()
                slugs = search(text)
                side.latencies_ms.append((time.perf_counter() - started) * 1000)
                found = [doc_ids.get(slug) for slug in slugs]
                side.ranks.append(found.index(qrels[qid]) + 1 if qrels[qid] in found else None)

        known = known_items(kb)
        known_rows = []
        for label, items in known.items():
            base_mrr = known_item_mrr(base_side.timed(baseline.search), items)
            parley_mrr = known_item_mrr(parley_side.timed(lambda q: parley_paths(kb, q)), items)
            known_rows.append((label, base_mrr, parley_mrr))

        http_ms: list[float] = []
        if not quick:
            edited = kb_dir / "plausible" / "docs" / "team-settings.md"
            base_side.edit_s = time_baseline_edit(baseline, edited)
            parley_side.edit_s = asyncio.run(time_watched_edit(kb, edited))
            http_ms = asyncio.run(
                http_search_latency(kb_dir, work / "index", [text for _, text in queries])
            )
        problems = len(kb.problems())
        documents = len(kb.articles())
        kb.close()
        languages = collection_mrr(work, lambda kb_dir, to: Baseline(kb_dir, to).search)
    print_report(
        base_side,
        parley_side,
        commands,
        len(queries),
        documents,
        problems,
        http_ms,
        halves,
        known_rows,
        full=not quick,
    )
    print()
    print_table(
        (
            "MRR@10 (tests/knowledge/collection)",
            "plain Whoosh",
            "Parley, English stemmer for every locale",
            "Parley, per-locale analysis",
            "per-locale / English stemmer",
        ),
        languages,
    )


def known_items(kb: KnowledgeBase) -> dict[str, list[tuple[str, str]]]:
    """A check that ranking by meaning keeps exact lookups right: 300 articles of the other
    corpora (fixed seed), each searched by its title and by its first sentence of prose."""
    others = [a for a in kb.articles() if not a.source_path.startswith("stackfaq/")]
    chosen = random.Random(7).sample(others, min(KNOWN_ITEMS, len(others)))
    titles = [(a.title, a.source_path.removesuffix(".md")) for a in chosen]
    sentences = []
    for a in chosen:
        # The first line of prose (not the repeated title, not a one-word heading), first
        # sentence of it: what a visitor pasting from the page would send.
        lines = [line for line in a.text.splitlines() if len(line.split()) >= 8]
        prose = [line for line in lines if not line.startswith(a.title)]
        if prose:
            first = re.split(r"(?<=[.!?])\s", prose[0].strip())[0][:200]
            sentences.append((first, a.source_path.removesuffix(".md")))
    return {
        f"MRR@10, {len(titles)} other articles' titles as queries": titles,
        f"MRR@10, {len(sentences)} other articles' first sentences as queries": sentences,
    }


def known_item_mrr(search: Callable[[str], list[str]], items: list[tuple[str, str]]) -> float:
    total = 0.0
    for text, path in items:
        found = list(dict.fromkeys(search(text)))[:CUTOFF]
        total += 1 / (found.index(path) + 1) if path in found else 0.0
    return total / len(items) if items else 0.0


def parley_paths(kb: KnowledgeBase, text: str) -> list[str]:
    """Parley's hits as source paths without ``.md`` (what the baseline returns)."""
    paths = []
    for hit in kb.search(text, limit=CUTOFF).results:
        article = kb.article(hit.slug)
        if article is not None:
            paths.append(article.source_path.removesuffix(".md"))
    return paths


def half(doc_id: str) -> int:
    """Which half a thread's questions fall in: its number's parity (``sfaq012`` → 0), so the
    paraphrases of one thread never sit on both sides of a tuning split."""
    digits = re.sub(r"\D", "", doc_id)
    return int(digits) % 2 if digits else 0


def stackfaq_ids() -> dict[str, str]:
    """Slug → the ``id:`` in the front matter of each StackFAQ thread (what qrels name)."""
    ids = {}
    for path in sorted((CORPORA / "stackfaq").glob("*.md")):
        found = re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
        if found:
            ids[f"stackfaq/{path.stem}"] = found.group(1)
    return ids


def parley_slugs(kb: KnowledgeBase, text: str) -> list[str]:
    return [hit.slug for hit in kb.search(text, limit=CUTOFF).results]


def time_baseline_edit(baseline: Baseline, path: Path) -> float:
    """Median of a few edits: re-index the file, commit, refresh the searcher."""
    times = []
    for number in range(EDITS):
        token = f"zebrafish{number}baseline"
        _append(path, token)
        started = time.perf_counter()
        baseline.edit(path)
        assert baseline.search(token), "the baseline did not index the edit"
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def time_watched_edit(kb: KnowledgeBase, path: Path) -> float:
    """Median, over a few edits, of the time from the file being saved to the first search
    that finds the new word, through the watcher."""
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(kb, stop))
    await asyncio.sleep(0.5)  # let the watcher settle before the first edit
    times = []
    try:
        for number in range(EDITS):
            token = f"quokka{number}parley"
            await asyncio.to_thread(_append, path, token)
            started = time.perf_counter()
            while not kb.search(token).results:
                if time.perf_counter() - started > EDIT_TIMEOUT_S:
                    raise SystemExit("the edited file never became searchable")
                await asyncio.sleep(0.01)
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.5)  # edits a writer makes, not one burst
        return statistics.median(times)
    finally:
        stop.set()
        await watcher


async def http_search_latency(kb_dir: Path, index_dir: Path, queries: list[str]) -> list[float]:
    """Milliseconds per ``GET /api/v1/kb/search`` through a real uvicorn on loopback.

    The whole endpoint: HTTP parsing, the search in a worker thread, JSON, and the search-log
    insert into SQLite. The app reuses the index built above (several processes may share
    one), and the client shares this process and its event loop with the server.
    """
    data_dir = _mkdir(index_dir.parent / "http-data")
    (data_dir / "kb_index").symlink_to(index_dir, target_is_directory=True)
    app = create_app(Settings(data_dir=data_dir, kb_dir=kb_dir, secret_key="benchmark"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(600):  # at most a minute for the app to open the index
        if server.started:
            break
        await asyncio.sleep(0.1)
    latencies: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for query in queries:
                started = time.perf_counter()
                response = await http.get("/api/v1/kb/search", params={"q": query, "limit": 10})
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    finally:
        server.should_exit = True
        await serving
    return latencies


def print_report(
    base: Side,
    parley: Side,
    commands: list[tuple[str, str, str, str]],
    queries: int,
    docs: int,
    problems: int,
    http_ms: list[float],
    halves: list[int],
    known: list[tuple[str, float, float]],
    full: bool,
) -> None:
    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}×" if a else "—"

    rows = [
        ("MRR@10", f"{base.mrr():.3f}", f"{parley.mrr():.3f}", ratio(base.mrr(), parley.mrr())),
    ]
    for number, name in ((0, "A (even threads)"), (1, "B (odd threads)")):
        chosen = [h == number for h in halves]
        b, q = base.mrr(chosen), parley.mrr(chosen)
        rows.append((f"MRR@10, half {name}", f"{b:.3f}", f"{q:.3f}", ratio(b, q)))
    rows += [
        ("hit@1", f"{base.hit(1):.3f}", f"{parley.hit(1):.3f}", ratio(base.hit(1), parley.hit(1))),
        ("hit@5", f"{base.hit(5):.3f}", f"{parley.hit(5):.3f}", ratio(base.hit(5), parley.hit(5))),
    ]
    rows += [(label, f"{b:.3f}", f"{q:.3f}", ratio(b, q)) for label, b, q in known]
    for label, p in (("search p50 (ms)", 0.50), ("search p99 (ms)", 0.99)):
        b, q = base.percentile(p), parley.percentile(p)
        rows.append((label, f"{b:.1f}", f"{q:.1f}", ratio(b, q)))
    for label, fewest, most in LENGTHS:
        (b, n), (q, _) = (
            base.length_percentile(0.99, fewest, most),
            parley.length_percentile(0.99, fewest, most),
        )
        rows.append((f"search p99 (ms), {label} (N = {n})", f"{b:.1f}", f"{q:.1f}", ratio(b, q)))
    rows += commands
    if full:
        rows += [
            (
                f"edited file searchable (s, median of {EDITS})",
                f"{base.edit_s:.3f}",
                f"{parley.edit_s:.3f}",
                ratio(base.edit_s, parley.edit_s),
            ),
        ]
        http = Side([], http_ms)  # the whole endpoint against the bare baseline call
        for label, p in (("HTTP GET /api/v1/kb/search p50 (ms)", 0.50), ("HTTP … p99 (ms)", 0.99)):
            b, q = base.percentile(p), http.percentile(p)
            rows.append((label, f"{b:.1f}", f"{q:.1f}", ratio(b, q)))
    print_table(("metric", "plain Whoosh (baseline)", "Parley", "Parley / baseline"), rows)
    print()
    print(
        f"N = {queries} queries (stackfaq_dev), {docs} articles indexed from 5 corpora "
        f"({problems} files skipped as problems); top {CUTOFF} per query; baseline and Parley "
        "queries interleaved on the same 2 shared cores. "
        + (
            "Baseline edit = update_document + commit + searcher.refresh(); Parley edit = file "
            "saved → watcher → first search that finds it. "
            if full
            else ""
        )
        + f"Load average (1 min) at the start: {LOAD_AT_START:.1f}, at the end: "
        f"{os.getloadavg()[0]:.1f}."
    )
    print(f"commit: {commit_measured('server/parley/knowledge')}")
    packages = (
        "whoosh-reloaded",
        "pystemmer",
        "markdown",
        "pymdown-extensions",
        "nh3",
        "pyyaml",
        "watchfiles",
    )
    print(
        f"python {platform.python_version()}; "
        + ", ".join(f"{name} {version(name)}" for name in packages)
    )


def _append(path: Path, word: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n{word}\n", encoding="utf-8")


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


if __name__ == "__main__":
    main()
