"""Plain Whoosh, the baseline of ``kb_search.py`` as BENCHMARKS.md defines it: title x2, the
stemming analyzer, OR of the words, searcher kept open. Run as a program it only builds an index
(``python benchmarks/_whoosh.py KB_DIR INDEX_DIR``), so its build can be timed as a whole
process beside ``parley kb index``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from whoosh import fields, index, qparser, scoring
from whoosh.analysis import StemmingAnalyzer

CUTOFF = 10
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


class Baseline:
    """Plain Whoosh as BENCHMARKS.md describes it: title x2, stemming, OR, searcher kept open."""

    def __init__(self, kb_dir: Path, index_dir: Path) -> None:
        analyzer = StemmingAnalyzer()
        self.schema = fields.Schema(
            path=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=analyzer, field_boost=2.0),
            body=fields.TEXT(analyzer=analyzer),
        )
        self.kb_dir = kb_dir
        self.ix = index.create_in(str(index_dir), self.schema)
        writer = self.ix.writer(limitmb=256)
        for path in sorted(kb_dir.rglob("*.md")):
            writer.add_document(**self._document(path))
        writer.commit()
        self.parser = qparser.MultifieldParser(
            ["title", "body"], self.schema, group=qparser.OrGroup
        )
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())

    def _document(self, path: Path) -> dict[str, str]:
        text = path.read_text(encoding="utf-8", errors="replace")
        title = path.stem
        found = FRONT_MATTER.match(text)
        if found:
            text = text[found.end() :]
            try:
                meta = yaml.safe_load(found.group(1))
            except yaml.YAMLError:
                meta = None
            if isinstance(meta, dict) and meta.get("title"):
                title = str(meta["title"])
        slug = path.relative_to(self.kb_dir).as_posix().removesuffix(".md")
        return {"path": slug, "title": title, "body": text}

    def search(self, text: str) -> list[str]:
        words = " ".join(re.findall(r"\w+", text))  # the words only: no query syntax
        return [hit["path"] for hit in self.searcher.search(self.parser.parse(words), limit=CUTOFF)]

    def edit(self, path: Path) -> None:
        writer = self.ix.writer()
        writer.update_document(**self._document(path))
        writer.commit()
        self.searcher = self.searcher.refresh()


if __name__ == "__main__":
    Path(sys.argv[2]).mkdir(parents=True)
    Baseline(Path(sys.argv[1]), Path(sys.argv[2]))
