"""One index generation, held in memory for searching: immutable, so any number of threads
can search it while a refresh builds the next one.

Whoosh segments never change once written (deletions are recorded beside them), so each
segment is loaded once (postings, field lengths, stored articles) and shared by every later
snapshot that still contains it: after an edit only the new, small segment is read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from parley.knowledge.articles import Article, FaqItem, Problem
from parley.knowledge.meaning import DIMENSIONS
from parley.knowledge.schema import ARTICLE, FAQ, SOURCE, TEXT_FIELDS, from_record

Postings = tuple["array[int]", "array[float]"]  # (local doc numbers, term frequencies)
# Per document: the vector of its title (or FAQ question) and of the whole document.
Meanings = npt.NDArray[np.float16]  # shape (documents, 2, DIMENSIONS)


@dataclass(frozen=True)
class Doc:
    """A searchable document: an article, or one FAQ item of an article."""

    kind: str
    key: str
    article: Article
    faq: FaqItem | None

    @property
    def title(self) -> str:
        return self.faq.question if self.faq else self.article.title

    @property
    def text(self) -> str:
        return self.faq.answer_text if self.faq else self.article.text

    @property
    def locale(self) -> str:
        return self.article.locale


@dataclass(frozen=True)
class _Stored:
    kind: str
    key: str
    slug: str


class Segment:
    """Everything search needs from one Whoosh segment, read once."""

    def __init__(self, reader: Any) -> None:
        self.id: str = reader.segment().segment_id()
        self.size: int = reader.doc_count_all()
        self.stored: list[_Stored] = []
        self.articles: dict[int, Article] = {}
        self.problems: dict[int, Problem] = {}
        self.meanings: Meanings = np.zeros((self.size, 2, DIMENSIONS), dtype=np.float16)
        for docnum in range(self.size):
            fields = reader.stored_fields(docnum)
            if fields.get("meaning"):
                self.meanings[docnum] = np.frombuffer(fields["meaning"], np.float16).reshape(2, -1)
            self.stored.append(_Stored(fields["kind"], fields["key"], fields.get("slug", "")))
            record = fields.get("record")
            if fields["kind"] == ARTICLE:
                self.articles[docnum] = from_record(record)
            elif fields["kind"] == SOURCE and record is not None:
                self.problems[docnum] = Problem(fields["path"], record["line"], record["message"])
        self.lengths = {
            name: array("f", (reader.doc_field_length(n, name, 0) or 0 for n in range(self.size)))
            for name in TEXT_FIELDS
        }
        self.postings: dict[str, dict[str, Postings]] = {
            name: dict(_read_postings(reader, name)) for name in TEXT_FIELDS
        }
        # Filled by scoring.Scorer on first use: BM25 length saturation and term weights.
        self.saturation: dict[str, list[float]] | None = None
        self.weights: dict[str, dict[int, float]] = {}


def _read_postings(reader: Any, name: str) -> Iterable[tuple[str, Postings]]:
    for text, _ in reader.iter_field(name):
        matcher = reader.postings(name, text)
        docs: array[int] = array("i")
        freqs: array[float] = array("f")
        while matcher.is_active():
            docs.append(matcher.id())
            freqs.append(matcher.weight())
            matcher.next()
        yield text.decode("utf-8") if isinstance(text, bytes) else text, (docs, freqs)


class Snapshot:
    """The live documents of one generation, with global doc numbers across segments."""

    def __init__(self, generation: int, parts: list[tuple[Segment, int, frozenset[int]]]) -> None:
        self.generation = generation
        self.segments = [(segment, offset) for segment, offset, _ in parts]
        self.size = sum(segment.size for segment, _, _ in parts)
        self.articles: dict[str, Article] = {}
        self.problems: list[Problem] = []
        live: list[tuple[int, _Stored]] = []
        for segment, offset, deleted in parts:
            for local, stored in enumerate(segment.stored):
                if local in deleted:
                    continue
                live.append((offset + local, stored))
                if local in segment.articles:
                    self.articles[stored.key] = segment.articles[local]
                elif local in segment.problems:
                    self.problems.append(segment.problems[local])
        # Links between articles are written to the path-based slug; an article that sets its
        # own ``slug`` is still found under that path.
        self.aliases = {a.source_path.removesuffix(".md"): a.slug for a in self.articles.values()}
        self.docs: list[Doc | None] = [None] * self.size
        for docnum, stored in live:
            self.docs[docnum] = self._doc(stored)
        self.doc_count = sum(doc is not None for doc in self.docs)
        self.meanings: Meanings = (
            np.concatenate([segment.meanings for segment, _, _ in parts])
            if parts
            else np.zeros((0, 2, DIMENSIONS), dtype=np.float16)
        )
        self.problems.sort(key=lambda p: p.path)
        self.average_length = {name: self._average_length(name) for name in TEXT_FIELDS}

    def _doc(self, stored: _Stored) -> Doc | None:
        if stored.kind == ARTICLE:
            return Doc(ARTICLE, stored.key, self.articles[stored.key], None)
        if stored.kind == FAQ and stored.slug in self.articles:
            article = self.articles[stored.slug]
            item = next((f for f in article.faq if f.id == stored.key), None)
            return Doc(FAQ, stored.key, article, item) if item else None
        return None

    def _average_length(self, name: str) -> float:
        total = 0.0
        for segment, offset in self.segments:
            docs = self.docs
            total += sum(n for i, n in enumerate(segment.lengths[name]) if docs[offset + i])
        return total / self.doc_count if self.doc_count else 0.0


def load_snapshot(ix: Any, previous: Snapshot | None) -> Snapshot:
    """The latest generation of ``ix``, reusing the segments ``previous`` already loaded."""
    known = {segment.id: segment for segment, _ in previous.segments} if previous else {}
    with ix.reader() as reader:
        parts = []
        for leaf, offset in reader.leaf_readers():
            segment = leaf.segment()
            if segment is None:  # an index without any segment yet
                continue
            loaded = known.get(segment.segment_id()) or Segment(leaf)
            parts.append((loaded, offset, frozenset(segment.deleted_docs())))
        # An empty index has no segments, and its reader reports no generation of its own.
        generation = reader.generation()
        return Snapshot(ix.latest_generation() if generation is None else generation, parts)
