"""Per-locale analysis: Polish and Slovenian words found in the forms people type them, in the
index, the query, snippets and did-you-mean; English analysed as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.knowledge import KnowledgeBase
from parley.knowledge.analysis import analyser, fold

REPO = Path(__file__).resolve().parents[2]
COLLECTION = Path(__file__).resolve().parent / "collection"


def questions(language: str) -> list[tuple[str, str]]:
    lines = (COLLECTION / f"questions-{language}.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "question\tslug"
    return [(q, slug) for q, slug in (line.split("\t") for line in lines[1:] if line.strip())]


def _open(kb_dir: Path, tmp: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase.open(kb_dir, tmp.mktemp("index") / "kb_index")
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The demo help center (``kb_articles/``), on whose Polish articles the forms failed."""
    yield from _open(REPO / "kb_articles", tmp_path_factory)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The Polish and Slovenian test collection (``collection/``)."""
    yield from _open(COLLECTION, tmp_path_factory)


def titles(kb: KnowledgeBase, text: str, locale: str, limit: int = 3) -> list[str]:
    return [hit.title for hit in kb.search(text, locale=locale, limit=limit).results]


@pytest.mark.parametrize("form", ["hasłem", "haseł", "hasła", "hasło"])
def test_every_form_of_a_polish_word_finds_its_article(demo: KnowledgeBase, form: str) -> None:
    assert "Jak zresetować hasło" in titles(demo, form, "pl")


def test_an_inflected_polish_word_ranks_its_article_first(demo: KnowledgeBase) -> None:
    # "zwrotu" (of "zwrot", refund) ranked "Plany i ceny" above the refund article.
    assert titles(demo, "zwrotu", "pl", limit=1) == ["Zwrot pieniędzy za subskrypcję"]


@pytest.mark.parametrize("form", ["geslom", "gesel", "gesla", "geslo"])
def test_every_form_of_a_slovenian_word_finds_its_article(
    collection: KnowledgeBase, form: str
) -> None:
    assert titles(collection, form, "sl", limit=1) == ["Ponastavitev gesla"]


def test_words_typed_without_accents_are_read_with_them(demo: KnowledgeBase) -> None:
    # "hasla" is not a Polish word; "hasła" is, and the lemmatizer needs the accent to see it.
    assert "Jak zresetować hasło" in titles(demo, "nie pamietam hasla", "pl")
    assert titles(demo, "zwrot pieniedzy", "pl", limit=1) == ["Zwrot pieniędzy za subskrypcję"]


def test_a_polish_visitor_typing_english_finds_english_articles(demo: KnowledgeBase) -> None:
    # Many sites have English articles only: a visitor whose locale is Polish still finds them
    # by English words in any form, not only by the forms Polish analysis leaves alone.
    assert titles(demo, "recurring invoices", "pl", limit=1) == ["Set up recurring invoices"]
    assert titles(demo, "deleting my account", "pl", limit=1) == ["Delete your Tallybird account"]


def test_snippets_mark_the_inflected_forms_in_the_text(collection: KnowledgeBase) -> None:
    hit = collection.search("hasłem", locale="pl", limit=1).results[0]
    assert "<mark>hasła</mark>" in hit.snippet_html
    hit = collection.search("gesel", locale="sl", limit=1).results[0]
    assert "<mark>geslo</mark>" in hit.snippet_html


def test_did_you_mean_corrects_a_polish_typo_to_a_polish_word(demo: KnowledgeBase) -> None:
    response = demo.search("jak zresetować hasłm", locale="pl")
    assert response.suggestion is not None
    assert response.suggestion.startswith("jak zresetować hasł")
    assert fold(response.suggestion.split()[-1]) in {"haslo", "hasla"}
    assert response.results[0].title == "Jak zresetować hasło"


def test_english_is_stemmed_as_before() -> None:
    english = analyser("en")
    assert english.terms("Refunds for the invoices others paid") == [
        "refund",
        "invoic",
        "other",
        "paid",
    ]
    assert analyser("de-AT") is english  # a language without its own analysis is English's


def test_english_forms_meet_and_unrelated_words_stay_apart() -> None:
    """Snowball's current English rules: "pasting" is a form of "paste" (not of "past"), and
    "organization" is not "organ", nor "university" "universal"."""
    term = analyser("en").term
    assert term("pasting") == term("pastes") == term("paste") != term("past")
    assert term("adding") == term("add")
    assert term("organization") == term("organized") != term("organ")
    assert term("university") != term("universal")


def test_a_language_of_its_own_reduces_forms_to_one_term() -> None:
    assert len({analyser("pl").term(w) for w in ("hasło", "hasła", "hasłem", "haseł")}) == 1
    assert len({analyser("sl").term(w) for w in ("geslo", "gesla", "geslom", "gesel")}) == 1
    assert analyser("pl_PL") is analyser("pl")


@pytest.mark.parametrize("language", ["pl", "sl"])
def test_the_collection_is_large_enough_to_judge(language: str) -> None:
    articles = list((COLLECTION / language).glob("*.md"))
    asked = questions(language)
    assert len(articles) >= 20
    assert len(asked) >= 100
    slugs = {f"{language}/{path.stem}" for path in articles}
    assert {slug for _, slug in asked} == slugs  # every article asked about, no stray answer


@pytest.mark.parametrize("language", ["pl", "sl"])
def test_nearly_every_collection_question_finds_its_article(
    collection: KnowledgeBase, language: str
) -> None:
    asked = questions(language)
    missed = [
        (text, slug)
        for text, slug in asked
        if slug not in [h.slug for h in collection.search(text, locale=language, limit=5).results]
    ]
    assert len(missed) <= len(asked) // 20, missed
