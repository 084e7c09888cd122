"""Writing a full build's Whoosh segments without Whoosh's writer, and committing them.

Parley's documents arrive with their terms already analysed, so Whoosh's writer does work a
build does not need: a token object per word, a pool of 450,000 (field, term, doc, weight,
value) tuples sorted at commit, and a per-posting lookup of the field length it has just
written. ``SegmentBuilder`` counts each field's terms into a dictionary instead and feeds
Whoosh's own codec (the same per-document and postings writers, so the files are the ones
Whoosh writes and reads). Each parse worker builds its own segment, and ``commit_segments``
makes them one generation by writing a table of contents, without merging: the commit's work
is spread over the workers instead of running after them in one process.

Incremental updates still go through Whoosh's writer: they write a few documents, and its
merge policy keeps the segment count small.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from whoosh.codec import default_codec
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.system import emptybytes, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

# (local doc numbers, frequencies, stored field lengths) of one term in one field.
Postings = tuple[list[int], list[int], list[int]]
WRITE_LOCK = "WRITELOCK"  # the lock Whoosh's own writers take


class SegmentBuilder:
    """One new segment of ``storage``'s index, written document by document."""

    def __init__(self, storage: FileStorage, index_name: str, schema: Any) -> None:
        codec = default_codec()
        self.storage = storage
        self.schema = schema
        self.segment = codec.new_segment(storage, index_name)
        self._per_doc = codec.per_document_writer(storage, self.segment)
        self._field_writer = codec.field_writer(storage, self.segment)
        self._postings: dict[str, dict[str, Postings]] = {}
        self.doc_count = 0

    def add(self, document: dict[str, Any]) -> int:
        """Write one document (field → value; text fields as term lists): its local number."""
        docnum = self.doc_count
        per_doc = self._per_doc
        per_doc.start_doc(docnum)
        for name in sorted(document):
            value = document[name]
            if value is None:
                continue
            field = self.schema[name]
            length = 0
            if field.indexed:
                if field.scorable:  # a text field: its terms, as analysis.terms gave them
                    length = len(value)
                    self._count(name, Counter(value), length)
                else:  # an ID: Whoosh's own field turns the value into its one term
                    self._count(name, {t.decode(): 1 for t, *_ in field.index(value)}, 0)
            per_doc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                per_doc.add_column_value(name, field.column_type, field.to_column_value(value))
        per_doc.finish_doc()
        self.doc_count += 1
        return docnum

    def _count(self, name: str, counts: dict[str, int], length: int) -> None:
        # The length as stored (one byte per field and document): what Whoosh's writer passes.
        stored = byte_to_length(length_to_byte(length)) if length else 0
        field = self._postings.setdefault(name, {})
        docnum = self.doc_count
        for term, freq in counts.items():
            found = field.get(term)
            if found is None:
                field[term] = ([docnum], [freq], [stored])
            else:
                found[0].append(docnum)
                found[1].append(freq)
                found[2].append(stored)

    def finish(self) -> Any:
        """Write the postings, close the segment's files and assemble them into one: the
        finished ``whoosh.codec`` segment (picklable), not yet part of any generation."""
        self._per_doc.close()
        writer = self._field_writer
        for name in sorted(self._postings):
            field = self.schema[name]
            frequencies = field.format.posting_size > 0  # text: frequency; ID: presence
            writer.start_field(name, field)
            terms = self._postings[name]
            for term in sorted(terms, key=str.encode):  # Whoosh orders terms by their bytes
                docs, freqs, lengths = terms[term]
                writer.start_term(term.encode())
                for docnum, freq, length in zip(docs, freqs, lengths, strict=True):
                    value = pack_uint(freq) if frequencies else emptybytes
                    writer.add(docnum, float(freq), value, length)
                writer.finish_term()
            writer.finish_field()
        writer.close()
        self.segment.set_doc_count(self.doc_count)
        self.segment.create_compound_file(self.storage)
        self.segment.compound = True
        return self.segment


def commit_segments(ix: Any, segments: Sequence[Any]) -> None:
    """Make ``segments`` the next generation of ``ix`` (a ``whoosh.index.FileIndex``),
    replacing every segment it had (files no generation lists any more are deleted, as
    Whoosh's own commit does)."""
    lock = ix.lock(WRITE_LOCK)
    lock.acquire(blocking=True)
    try:
        generation = ix.latest_generation() + 1
        TOC(ix.schema, list(segments), generation).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, generation, segments)
    finally:
        lock.release()
    temp = f"{ix.indexname}.tmp"  # the per-document writers' scratch folder
    if temp in ix.storage.list():
        ix.storage.temp_storage(temp).destroy()


def build_segment(ix: Any, documents: Iterable[dict[str, Any]]) -> Any:
    """One finished segment of ``ix`` holding ``documents``, in order."""
    builder = SegmentBuilder(ix.storage, ix.indexname, ix.schema)
    for document in documents:
        builder.add(document)
    return builder.finish()
