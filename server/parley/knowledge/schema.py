"""The Whoosh schema and how articles become index documents (and come back out of them).

One source file gives one *manifest* entry (``article``, or ``source`` for a draft or a file
with a problem) plus one ``faq`` document per FAQ item. Every document carries its file's path,
so a file's documents are replaced or deleted together. Articles are stored whole (as plain
values), so opening an up-to-date index never renders Markdown again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from whoosh import fields

from parley.knowledge.analysis import analyser
from parley.knowledge.articles import Article, FaqItem, Heading, Problem
from parley.knowledge.meaning import word_vectors

# Bump when the schema, the analysis, the rendering or the word vectors change: a new version is
# a new index name, so every process builds it fresh instead of reading documents it would
# misunderstand (or, on a rebuild, reusing rendered articles and vectors made the old way).
SCHEMA_VERSION = 5
INDEX_NAME = f"parley_kb_v{SCHEMA_VERSION}"

ARTICLE = "article"
FAQ = "faq"
SOURCE = "source"

# The fields scored with BM25F; each one's weight and length normalisation live in ranking.
TEXT_FIELDS = ("title", "question", "headings", "body", "tags", "category")


def schema() -> fields.Schema:
    def text() -> fields.TEXT:
        # Terms arrive pre-analysed (analysis.terms), so no positions and no Whoosh analyzer.
        return fields.TEXT(phrase=False)

    def column() -> fields.ID:
        # Sortable: a column readers can scan without unpickling stored documents.
        return fields.ID(stored=True, sortable=True)

    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        kind=column(),
        path=column(),
        slug=column(),
        fingerprint=column(),
        locale=fields.ID(stored=True),
        record=fields.STORED(),
        meaning=fields.STORED(),
        **{name: text() for name in TEXT_FIELDS},
    )


@dataclass(frozen=True)
class Prepared:
    """An article analysed into index documents (the costly part, done by parse workers)."""

    slug: str
    draft: bool
    documents: tuple[dict[str, object], ...]  # the article's, then one per FAQ item

    def stamped(self, fingerprint: str) -> Iterator[dict[str, object]]:
        """The documents, the article's carrying the file's fingerprint for the manifest."""
        for document in self.documents:
            yield (
                {**document, "fingerprint": fingerprint}
                if document["kind"] == ARTICLE
                else document
            )


@dataclass(frozen=True)
class Indexed:
    """An unchanged file's article as the index already holds it (rendered, with its vectors):
    a rebuild only analyses it again, the cheap part, instead of rendering its Markdown and
    computing its vectors, which are most of a build's work."""

    record: dict[str, object]
    meanings: tuple[bytes, ...]  # the article's, then each FAQ item's, in order

    def prepare(self) -> Prepared:
        article = from_record(self.record)
        return Prepared(article.slug, False, tuple(documents(article, iter(self.meanings))))


def prepare(article: Article) -> Prepared:
    """``article`` as ready-to-write index documents (none for a draft: it is never indexed)."""
    found = () if article.draft else tuple(documents(article))
    return Prepared(article.slug, article.draft, found)


def documents(
    article: Article, meanings: Iterator[bytes] | None = None
) -> Iterator[dict[str, object]]:
    """The index documents of one article: the article itself, then each FAQ item, analysed
    in the article's language. ``meanings``: their vectors when already known (``Indexed``)."""

    def meaning_of(title: str, text: str) -> bytes:
        return next(meanings) if meanings is not None else meaning(title, text)

    terms = analyser(article.locale).terms
    shared = {
        "path": article.source_path,
        "slug": article.slug,
        "locale": article.locale,
        "tags": terms(" ".join(article.tags)),
        "category": terms(article.category),
    }
    heading_text = " ".join(h.text for h in article.headings)
    yield {
        **shared,
        "key": article.slug,
        "kind": ARTICLE,
        "title": terms(article.title),
        "headings": terms(heading_text),
        "body": terms(article.text),
        "record": to_record(article),
        "meaning": meaning_of(article.title, article.text),
    }
    for item in article.faq:
        yield {
            **shared,
            "key": item.id,
            "kind": FAQ,
            "fingerprint": "",
            "question": terms(item.question),
            "body": terms(item.answer_text),
            "meaning": meaning_of(item.question, item.answer_text),
        }


def meaning(title: str, text: str) -> bytes:
    """The vectors of a document's title and of the whole document (``meaning.py``), as
    float16 bytes: computed once here, by the parse workers, never at search time."""
    vectors = word_vectors()
    pair = np.stack([vectors.embed(title), vectors.embed(f"{title}\n{text}")])
    return pair.astype(np.float16).tobytes()


def source_document(
    path: str, fingerprint: str, problem: Problem | None, claims: str
) -> dict[str, object]:
    """A file that yields no article (a draft or a problem), remembered so it is not re-read."""
    record = None if problem is None else {"line": problem.line, "message": problem.message}
    return {
        "key": f"{SOURCE}:{path}",
        "kind": SOURCE,
        "path": path,
        "slug": claims,
        "fingerprint": fingerprint,
        "record": record,
    }


def to_record(article: Article) -> dict[str, object]:
    """An article as plain values (no pickled classes), so stored documents outlive refactors."""
    return {
        "slug": article.slug,
        "title": article.title,
        "category": article.category,
        "category_slug": article.category_slug,
        "tags": list(article.tags),
        "locale": article.locale,
        "summary": article.summary,
        "markdown": article.markdown,
        "text": article.text,
        "headings": [[h.level, h.anchor, h.text] for h in article.headings],
        "faq": [[f.id, f.question, f.answer_html, f.answer_text] for f in article.faq],
        "source_path": article.source_path,
        "updated_at": article.updated_at.isoformat(),
        "draft": article.draft,
        "repeats_title": article.repeats_title,
    }


def from_record(record: dict[str, object]) -> Article:
    def items(key: str) -> list[list[object]]:
        value = record[key]
        assert isinstance(value, list)
        return value

    return Article(
        slug=str(record["slug"]),
        title=str(record["title"]),
        category=str(record["category"]),
        category_slug=str(record["category_slug"]),
        tags=tuple(str(tag) for tag in items("tags")),
        locale=str(record["locale"]),
        summary=str(record["summary"]),
        markdown=str(record["markdown"]),
        text=str(record["text"]),
        headings=tuple(Heading(int(str(lv)), str(a), str(t)) for lv, a, t in items("headings")),
        faq=tuple(FaqItem(str(i), str(q), str(h), str(t)) for i, q, h, t in items("faq")),
        source_path=str(record["source_path"]),
        updated_at=datetime.fromisoformat(str(record["updated_at"])),
        draft=bool(record["draft"]),
        repeats_title=bool(record["repeats_title"]),
    )
