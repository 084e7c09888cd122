"""The on-disk Whoosh index: created when missing, brought up to date incrementally.

Several server processes may share one KB dir and one index dir. Writes are serialised by a
file lock in the index dir (``parley_sync.lock``, fcntl/msvcrt through Whoosh's storage), and
every write first re-reads the *latest* manifest under that lock, so a process never redoes
or undoes another's work: whoever gets the lock first indexes an edited file, the others find
its fingerprint already current and only reopen. Readers never take the lock; each commit is
a new Whoosh generation, and a process picks it up by reloading its snapshot.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from whoosh.filedb.filestore import FileStorage

from parley.knowledge.articles import Problem, discover, duplicate_slug
from parley.knowledge.build import Job, build
from parley.knowledge.parallel import Progress, parse_files
from parley.knowledge.schema import (
    ARTICLE,
    FAQ,
    INDEX_NAME,
    SOURCE,
    Indexed,
    Prepared,
    schema,
    source_document,
)

LOCK_NAME = "parley_sync.lock"
READ_ATTEMPTS = 5
T = TypeVar("T")
Parsed = tuple[str, str, Prepared | Problem]  # (path, fingerprint taken before reading, result)
WRITER_TIMEOUT_S = 30.0
WRITER_LIMIT_MB = 256


@dataclass(frozen=True)
class Entry:
    """What the index knows about one source file."""

    kind: str  # ARTICLE, or SOURCE for a draft or a problem
    slug: str  # the article's slug, or the slug a duplicate claimed ("" otherwise)
    fingerprint: str


@dataclass(frozen=True)
class Contents:
    """What the index serves, counted from stored fields alone (no postings are read)."""

    articles: int
    faq_items: int
    locales: tuple[str, ...]
    problems: int


@dataclass(frozen=True)
class SyncReport:
    """What one sync changed, so callers can log it and tests can assert on it."""

    indexed: tuple[str, ...]
    removed: tuple[str, ...]
    rebuilt: bool


def fingerprint(path: Path) -> str | None:
    """mtime, size and content hash of a file, or None when it is gone (or not a file).
    An unreadable file still has one: parsing it then reports the problem."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    try:
        digest = hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
    except OSError:
        digest = "unreadable"
    return f"{stat.st_mtime_ns}:{stat.st_size}:{digest}"


class IndexStore:
    """The index directory of one knowledge base."""

    def __init__(self, kb_dir: Path, index_dir: Path, *, workers: int = 1) -> None:
        self.kb_dir = kb_dir.resolve()
        self.index_dir = index_dir
        self.workers = workers
        index_dir.mkdir(parents=True, exist_ok=True)
        self.storage = FileStorage(str(index_dir))

    def open(self) -> Any:
        """The latest generation of the index (a ``whoosh.index.FileIndex``)."""
        return self.storage.open_index(INDEX_NAME)

    def read(self, load: Callable[[Any], T]) -> T:
        """``load(index)`` on the latest generation. Without the sync lock, another process may
        commit meanwhile and delete the files just listed: then simply try the newer one."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                return load(self.open())
            except FileNotFoundError:
                if attempt == READ_ATTEMPTS:
                    raise
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    def contents(self) -> Contents:
        """Counts of the latest generation, for ``parley kb index`` to report after a build
        without loading the whole index for search (reading postings costs seconds)."""
        return self.read(read_contents)

    def exists(self) -> bool:
        return bool(self.storage.index_exists(INDEX_NAME))

    def latest_generation(self) -> int:
        """The newest committed generation, from a directory listing (cheap enough to poll)."""
        toc = re.compile(
            rf"_{re.escape(INDEX_NAME)}_(\d+)\.toc"
        )  # Whoosh's table-of-contents files
        found = (toc.fullmatch(name) for name in self.storage.list())
        return max((int(match.group(1)) for match in found if match), default=-1)

    def sync(
        self,
        paths: Iterable[Path] | None = None,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> SyncReport:
        """Bring the index in line with the files: all of them, or only ``paths`` (and the
        folders among them). Missing index, other schema version or ``rebuild`` → full build.
        ``progress`` hears how many of the files to read have been parsed."""
        with self._locked():
            if rebuild or not self.exists():
                return self._build(progress)
            ix = self.open()
            manifest = read_manifest(ix)
            wanted = self._candidates(manifest, paths)
            return self._update(ix, manifest, wanted, progress)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.storage.lock(LOCK_NAME)
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def _build(self, progress: Progress | None) -> SyncReport:
        if not self.exists():
            self.storage.create_index(schema(), indexname=INDEX_NAME)
        ix = self.open()
        known = read_indexed(ix)  # a rebuild renders only the files that changed
        files = sorted(self._relative(p) for p in discover(self.kb_dir))
        jobs = self._jobs(files, known)  # fingerprinted while the workers start
        # New segments replace every old one: the index is exactly these files.
        written = build(ix, self.kb_dir, jobs, len(files), self.workers, progress)
        return SyncReport(tuple(written), (), rebuilt=True)

    def _candidates(self, manifest: dict[str, Entry], paths: Iterable[Path] | None) -> set[str]:
        """Files whose fingerprint differs from the manifest, or that vanished."""
        if paths is None:
            scope = {self._relative(p) for p in discover(self.kb_dir)} | set(manifest)
        else:
            scope = set()
            for path in paths:
                rel = self._relative(path)
                scope.add(rel)
                scope.update(p for p in manifest if p.startswith(f"{rel}/"))
                if path.is_dir():
                    scope.update(self._relative(p) for p in discover(path))
        return {
            rel
            for rel in scope
            if rel.endswith(".md")
            and not rel.startswith("../")
            and (rel not in manifest or manifest[rel].fingerprint != self._fingerprint(rel))
        }

    def _update(
        self, ix: Any, manifest: dict[str, Entry], changed: set[str], progress: Progress | None
    ) -> SyncReport:
        if not changed:
            return SyncReport((), (), rebuilt=False)
        results = list(self._parse(changed, progress))
        # Every claimant of a slug this change touches is re-read, so a slug's owner is always
        # its first claimant by path: the same answer a full build gives.
        touched = {manifest[p].slug for p in changed if p in manifest} | {
            r.slug for _, _, r in results if isinstance(r, Prepared)
        }
        others = {p for p, e in manifest.items() if e.slug in touched and p not in changed}
        results = sorted([*results, *self._parse(others)], key=lambda item: item[0])
        redo = changed | others
        owners = {e.slug: p for p, e in manifest.items() if e.kind == ARTICLE and p not in redo}
        writer = ix.writer(timeout=WRITER_TIMEOUT_S, limitmb=WRITER_LIMIT_MB)
        try:
            for rel in sorted(redo):
                writer.delete_by_term("path", rel)
            written = self._write(writer, results, owners)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return SyncReport(tuple(written), tuple(sorted(redo - set(written))), rebuilt=False)

    def _jobs(
        self, files: Iterable[str], known: dict[str, tuple[str, Indexed]] | None = None
    ) -> Iterator[Job]:
        """The files that still exist, in path order, with their fingerprints; a file whose
        fingerprint ``known`` holds is taken from there instead of read and rendered.

        The fingerprint is taken before the file is read: if it changes meanwhile, the stored
        fingerprint is already out of date and the next sync reads the file again."""
        known = known or {}
        for rel in sorted(files):
            stamp = self._fingerprint(rel)
            if stamp is not None:
                same = rel in known and known[rel][0] == stamp
                yield rel, stamp, known[rel][1] if same else self.kb_dir / rel

    def _parse(self, files: Iterable[str], progress: Progress | None = None) -> Iterator[Parsed]:
        """Parse the files that still exist, in path order (in parallel when there are many)."""
        jobs = list(self._jobs(files))
        parsed = parse_files([task for _, _, task in jobs], self.kb_dir, self.workers)
        for done, ((rel, stamp, _), result) in enumerate(zip(jobs, parsed, strict=True), start=1):
            yield rel, stamp, result
            if progress is not None:
                progress(done, len(jobs))

    @staticmethod
    def _write(writer: Any, parsed: Iterable[Parsed], owners: dict[str, str]) -> list[str]:
        """Add the documents of parsed files in path order; ``owners``: slugs already taken."""
        written = []
        for rel, stamp, result in parsed:
            written.append(rel)
            if isinstance(result, Problem):
                writer.add_document(**source_document(rel, stamp, result, claims=""))
            elif result.draft:
                writer.add_document(**source_document(rel, stamp, None, claims=""))
            elif result.slug in owners:
                problem = duplicate_slug(rel, result.slug, owners[result.slug])
                writer.add_document(**source_document(rel, stamp, problem, claims=result.slug))
            else:
                owners[result.slug] = rel
                for document in result.stamped(stamp):
                    writer.add_document(**document)
        return written

    def _fingerprint(self, rel: str) -> str | None:
        return fingerprint(self.kb_dir / rel)

    def _relative(self, path: Path) -> str:
        absolute = (path if path.is_absolute() else self.kb_dir / path).resolve()
        return os.path.relpath(absolute, self.kb_dir).replace(os.sep, "/")


def read_manifest(ix: Any) -> dict[str, Entry]:
    """Path → entry for every live source file in the latest generation, read from columns."""
    manifest: dict[str, Entry] = {}
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:  # an empty index has no columns to read
            return manifest
        kinds = reader.column_reader("kind")
        paths = reader.column_reader("path")
        slugs = reader.column_reader("slug")
        stamps = reader.column_reader("fingerprint")
        for docnum in reader.all_doc_ids():
            kind = kinds[docnum]
            if kind in (ARTICLE, SOURCE):
                manifest[paths[docnum]] = Entry(kind, slugs[docnum], stamps[docnum])
    return manifest


def read_indexed(ix: Any) -> dict[str, tuple[str, Indexed]]:
    """Path → (fingerprint, article as stored) for every live article of the latest generation
    whose FAQ items are all there too: what a rebuild can reuse without rendering."""
    articles: dict[str, tuple[str, dict[str, Any], bytes]] = {}
    faq: dict[tuple[str, str], bytes] = {}
    with ix.reader() as reader:
        for fields in reader.all_stored_fields():
            if fields.get("kind") == ARTICLE:
                articles[fields["path"]] = (
                    fields["fingerprint"],
                    fields["record"],
                    fields["meaning"],
                )
            elif fields.get("kind") == FAQ:
                faq[(fields["path"], fields["key"])] = fields["meaning"]
    known: dict[str, tuple[str, Indexed]] = {}
    for path, (stamp, record, meaning) in articles.items():
        items = [faq.get((path, str(item[0]))) for item in record["faq"]]
        if all(items):
            known[path] = (stamp, Indexed(record, (meaning, *(m for m in items if m))))
    return known


def read_contents(ix: Any) -> Contents:
    """Counted from the ``kind`` column and the ``locale`` terms: only drafts' and problems'
    stored fields are read (unpickling every article's would cost ``parley kb index`` about
    a quarter of a second after a build)."""
    counts: dict[str, int] = {ARTICLE: 0, FAQ: 0}
    problems = 0
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:  # an empty index has no columns to read
            return Contents(0, 0, (), 0)
        kinds = reader.column_reader("kind")
        for docnum in reader.all_doc_ids():
            kind = kinds[docnum]
            if kind in counts:
                counts[kind] += 1
            elif kind == SOURCE and reader.stored_fields(docnum).get("record") is not None:
                problems += 1
        # Articles and their FAQ items carry a locale; a term left by deleted ones matches none.
        locales = [
            term.decode() if isinstance(term, bytes) else term
            for term in reader.lexicon("locale")
            if reader.postings("locale", term).is_active()
        ]
    return Contents(counts[ARTICLE], counts[FAQ], tuple(sorted(locales)), problems)
