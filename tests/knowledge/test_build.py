"""Full builds: segments written without Whoosh's writer, by worker processes, committed as one
generation that later edits update like any other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from parley.knowledge import KnowledgeBase
from parley.knowledge.articles import Article, discover, load_or_problem
from parley.knowledge.parallel import PARALLEL_THRESHOLD
from parley.knowledge.schema import documents, schema
from parley.knowledge.segments import build_segment, commit_segments
from tests.knowledge.conftest import write


def index_contents(ix: Any) -> list[object]:
    """Everything a reader of ``ix`` can see: stored fields, columns, field lengths and every
    term's postings and statistics."""
    seen: list[object] = []
    with ix.reader() as reader:
        seen.append(list(reader.all_stored_fields()))
        for name in sorted(ix.schema.names()):
            if ix.schema[name].column_type:
                seen.append(list(reader.column_reader(name)))
            if not ix.schema[name].indexed:
                continue
            count = reader.doc_count_all()
            seen.append([reader.doc_field_length(n, name) for n in range(count)])
            seen.append(reader.field_length(name))
            for term, _ in reader.iter_field(name):
                info = reader.term_info(name, term)
                postings = list(reader.postings(name, term).items_as("weight"))
                stats = (info.weight(), info.doc_frequency(), info.max_weight())
                seen.append((name, term, stats, info.min_length(), info.max_length(), postings))
    return seen


def test_a_segment_holds_what_whoosh_s_own_writer_writes(kb_dir: Path, tmp_path: Path) -> None:
    loaded = [load_or_problem(path, kb_dir) for path in discover(kb_dir)]
    articles = [a for a in loaded if isinstance(a, Article) and not a.draft]
    written = [{**document, "fingerprint": "stamp"} for a in articles for document in documents(a)]
    indexes = []
    for name in ("whoosh", "parley"):
        storage = FileStorage(str(tmp_path / name)).create()
        indexes.append(storage.create_index(schema(), indexname="kb"))
    by_whoosh, by_parley = indexes
    writer = by_whoosh.writer()
    for document in written:
        writer.add_document(**document)
    writer.commit()
    commit_segments(by_parley, [build_segment(by_parley, written)])

    assert len(written) > len(articles)  # FAQ items too
    assert index_contents(by_parley.refresh()) == index_contents(by_whoosh.refresh())


def bulk_kb(kb_dir: Path) -> None:
    """More files than a build parses in one process, with one slug claimed three times: by
    the first file in path order, and by two of the last ones."""
    for number in range(PARALLEL_THRESHOLD + 40):
        body = f"# Article {number}\n\nBody number{number}.\n"
        write(kb_dir, f"bulk/article-{number:03}.md", body)
    write(kb_dir, "aa/first.md", "---\nslug: shared/one\ntitle: First\n---\nFirst claim.\n")
    for name in ("second", "third"):
        text = f"---\nslug: shared/one\ntitle: {name}\n---\nLater claim.\n"
        write(kb_dir, f"zz/{name}.md", text)


def test_a_build_in_workers_serves_what_a_build_in_one_process_does(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    bulk_kb(kb_dir)
    heard: list[tuple[int, int]] = []
    total = PARALLEL_THRESHOLD + 43

    def progress(done: int, files: int) -> None:
        heard.append((done, files))

    parallel = KnowledgeBase.open(kb_dir, tmp_path / "workers", workers=2, progress=progress)
    serial = KnowledgeBase.open(kb_dir, tmp_path / "one", workers=1)

    assert heard[-1] == (total, total)
    assert [done for done, _ in heard] == sorted({done for done, _ in heard})
    for kb in (parallel, serial):
        assert len(kb.articles()) == PARALLEL_THRESHOLD + 41
        assert kb.article("shared/one").title == "First"  # type: ignore[union-attr]
        problems = [(p.path, p.message) for p in kb.problems()]
        owner = "slug 'shared/one' is already used by aa/first.md"
        assert problems == [("zz/second.md", owner), ("zz/third.md", owner)]
    for query in ("number42", "claim", "article body"):
        assert parallel.search(query).results == serial.search(query).results
    serial.close()

    # Edits update the workers' segments like any other: the next claimant takes the slug.
    (kb_dir / "aa/first.md").unlink()
    write(kb_dir, "bulk/article-042.md", "# Article 42\n\nBody renumbered.\n")
    parallel.refresh([kb_dir / "aa/first.md", kb_dir / "bulk/article-042.md"])
    assert parallel.article("shared/one").title == "second"  # type: ignore[union-attr]
    assert [p.path for p in parallel.problems()] == ["zz/third.md"]
    assert [hit.slug for hit in parallel.search("renumbered").results] == ["bulk/article-042"]
    assert parallel.search("number42").results == []
    parallel.close()
