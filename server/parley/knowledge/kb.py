"""``KnowledgeBase``: the one object the app, the CLI, the bot and the tests hold.

It owns the index directory (``IndexStore``) and the current in-memory ``Snapshot`` with its
``Searcher``. Reads (search, article lookups) use whatever snapshot is current and never wait;
writes (refresh, rebuild) are serialised and swap in a new snapshot when done. Other processes
sharing the index are noticed by polling the index generation at most every half second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from parley.knowledge.articles import Article, Problem
from parley.knowledge.index import Contents, IndexStore, SyncReport
from parley.knowledge.meaning import word_vectors
from parley.knowledge.parallel import Progress
from parley.knowledge.search import Searcher, SearchResponse
from parley.knowledge.snapshot import Snapshot, load_snapshot

FOLLOW_INTERVAL_S = 0.5


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    locale: str
    article_count: int


def update_index(
    kb_dir: Path,
    index_dir: Path,
    *,
    workers: int = 1,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring the index up to date without loading it for search: what ``parley serve`` runs
    (with a progress bar) before the server it starts opens the KB and finds nothing to do."""
    store = IndexStore(kb_dir, index_dir, workers=workers)
    return store.sync(rebuild=rebuild, progress=progress)


def index_contents(kb_dir: Path, index_dir: Path) -> Contents:
    """What the index in ``index_dir`` serves, without loading it for search."""
    return IndexStore(kb_dir, index_dir).contents()


class KnowledgeBase:
    """Articles, search and their index, for one KB dir and one index dir."""

    def __init__(self, store: IndexStore) -> None:
        """Use ``KnowledgeBase.open``: it also brings the index up to date."""
        self.kb_dir = store.kb_dir
        self.index_dir = store.index_dir
        self._store = store
        self._write_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._checked_at = 0.0
        self.last_sync: SyncReport | None = None

    @classmethod
    def open(
        cls,
        kb_dir: Path,
        index_dir: Path,
        *,
        workers: int = 1,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> KnowledgeBase:
        """Open the KB, building the index if it is missing, on another schema version or
        ``rebuild`` is asked (once: a rebuild is the opening build), and re-indexing files
        that changed since it was written. ``workers`` > 1 parses a big build in that many
        processes (the program's entry point must be ``__main__``-guarded); ``progress`` hears
        how many files have been parsed."""
        kb = cls(IndexStore(kb_dir, index_dir, workers=workers))
        with kb._write_lock:
            kb.last_sync = kb._store.sync(rebuild=rebuild, progress=progress)
            kb._reload()
        word_vectors()  # loaded now (~0.1 s), not by the first visitor's search
        return kb

    # Reading

    def search(self, query: str, *, limit: int = 5, locale: str = "en") -> SearchResponse:
        """Ranked articles and FAQ items; raises ``BadRequest`` for an empty query."""
        return self._current().search(query, limit=limit, locale=locale)

    def article(self, slug: str) -> Article | None:
        """A published article by slug (or by its path without ``.md``, as links use)."""
        snapshot = self._current().snapshot
        found = snapshot.articles.get(slug.strip("/"))
        if found is None:
            found = snapshot.articles.get(snapshot.aliases.get(slug.strip("/"), ""))
        return found

    def articles(self, locale: str | None = None) -> list[Article]:
        """Published articles, sorted by category then title."""
        found = self._current().snapshot.articles.values()
        chosen = [a for a in found if locale is None or a.locale == locale]
        return sorted(chosen, key=lambda a: (a.category.lower(), a.title.lower(), a.slug))

    def categories(self, locale: str = "en") -> list[Category]:
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        for article in self.articles(locale):
            counts[article.category_slug] = counts.get(article.category_slug, 0) + 1
            names.setdefault(article.category_slug, article.category)
        ordered = sorted(counts, key=lambda slug: names[slug].lower())
        return [Category(slug, names[slug], locale, counts[slug]) for slug in ordered]

    def related(self, slug: str, limit: int = 5) -> list[Article]:
        """Articles like this one: similar words, shared tags and category first."""
        article = self.article(slug)
        if article is None:
            return []
        return self._current().related(article, limit)

    def problems(self) -> list[Problem]:
        """Files that are not served, with the reason (and line) for each."""
        return list(self._current().snapshot.problems)

    @property
    def generation(self) -> int:
        return self._current().snapshot.generation

    # Writing

    def refresh(self, changed: Iterable[Path]) -> SyncReport:
        """Re-index these files (added, changed or deleted; folders are walked)."""
        with self._write_lock:
            self.last_sync = self._store.sync(list(changed))
            self._reload()
        return self.last_sync

    def rebuild(self) -> SyncReport:
        """Index every file from scratch (also compacts an index grown by many edits)."""
        with self._write_lock:
            self.last_sync = self._store.sync(rebuild=True)
            self._reload()
        return self.last_sync

    def close(self) -> None:
        self._searcher = None

    # Snapshots

    def _current(self) -> Searcher:
        searcher = self._searcher
        if searcher is None:
            raise RuntimeError("the knowledge base is closed")
        now = time.monotonic()
        if now - self._checked_at >= FOLLOW_INTERVAL_S:
            self._checked_at = now
            if self._store.latest_generation() != searcher.snapshot.generation:
                self._follow()
                searcher = self._searcher or searcher
        return searcher

    def _follow(self) -> None:
        """Another process committed: load its generation (one thread does, others go on)."""
        self._reload(blocking=False)

    def _reload(self, *, blocking: bool = True) -> None:
        if not self._reload_lock.acquire(blocking=blocking):
            return
        try:
            previous = self._searcher.snapshot if self._searcher else None
            snapshot: Snapshot = self._store.read(lambda ix: load_snapshot(ix, previous))
            if previous is None or snapshot.generation >= previous.generation:
                self._searcher = Searcher(snapshot)
        finally:
            self._reload_lock.release()
