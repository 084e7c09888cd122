"""Search quality in Polish and Slovenian: the test collection of ``tests/knowledge/collection``
(articles per language and questions asked in the inflected forms people type), searched with
Parley's per-locale analysis, with the English stemmer Parley used for every locale before, and
with plain Whoosh, in the same run. ``kb_search.py`` prints the table."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from parley.knowledge import KnowledgeBase, analysis

REPO = Path(__file__).resolve().parent.parent
COLLECTION = REPO / "tests" / "knowledge" / "collection"
LANGUAGES = {"pl": "Polish", "sl": "Slovenian"}
CUTOFF = 10

Search = Callable[[str], list[str]]  # a question → slugs, best first


def questions(language: str) -> list[tuple[str, str]]:
    """(question, slug of the article that answers it) of one language."""
    lines = (COLLECTION / f"questions-{language}.tsv").read_text(encoding="utf-8").splitlines()
    return [(q, slug) for q, slug in (line.split("\t") for line in lines[1:] if line.strip())]


def without_accents(text: str) -> str:
    """The question as typed on a keyboard without the language's layout."""
    return "".join(analysis.fold(ch) if ch.isalpha() else ch for ch in text)


def mrr(search: Search, items: list[tuple[str, str]]) -> float:
    total = 0.0
    for text, slug in items:
        found = list(dict.fromkeys(search(text)))[:CUTOFF]
        total += 1 / (found.index(slug) + 1) if slug in found else 0.0
    return total / len(items)


@contextlib.contextmanager
def english_stemmer_everywhere() -> Iterator[None]:
    """Parley's analysis as it was before per-locale analysis: every locale stemmed as English."""
    english = {"en": analysis.LANGUAGES["en"]}
    with (
        mock.patch.dict(analysis.LANGUAGES, english, clear=True),
        mock.patch.dict(analysis.ANALYSERS, clear=True),
    ):
        yield


def collection_mrr(work: Path, baseline: Callable[[Path, Path], Search]) -> list[tuple[str, ...]]:
    """Rows of (questions, plain Whoosh, Parley with the English stemmer, Parley per locale)."""
    kb_dir = work / "collection"
    shutil.copytree(COLLECTION, kb_dir, ignore=shutil.ignore_patterns("*.tsv"))
    whoosh_dir = work / "collection-whoosh"
    whoosh_dir.mkdir()
    plain = baseline(kb_dir, whoosh_dir)
    scores: dict[str, list[float]] = {}
    for label, setting in (
        ("english", english_stemmer_everywhere()),
        ("locale", contextlib.nullcontext()),
    ):
        with setting:
            kb = KnowledgeBase.open(kb_dir, work / f"collection-{label}")
            for language in LANGUAGES:
                for typed, items in _variants(language):
                    row = scores.setdefault(f"{language}:{typed}", [mrr(plain, items)])
                    row.append(mrr(_parley(kb, language), items))
            kb.close()
    rows = []
    for key, (whoosh, english, per_locale) in scores.items():
        language, typed = key.split(":")
        name = f"{LANGUAGES[language]}, {len(questions(language))} questions {typed}"
        gain = f"{per_locale / english:.2f}×" if english else "—"
        rows.append((name, f"{whoosh:.3f}", f"{english:.3f}", f"{per_locale:.3f}", gain))
    return rows


def _variants(language: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    items = questions(language)
    yield "as written", items
    yield "typed without accents", [(without_accents(q), slug) for q, slug in items]


def _parley(kb: KnowledgeBase, language: str) -> Search:
    def search(text: str) -> list[str]:
        return [hit.slug for hit in kb.search(text, limit=CUTOFF, locale=language).results]

    return search
