"""Word vectors: the tokenizer matches Llama 2's, texts of like meaning land close together,
and search uses that to find paraphrases that share almost no words with their answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from parley.knowledge import KnowledgeBase
from parley.knowledge.meaning import DIMENSIONS, WordVectors, word_vectors

DEMO_KB = Path(__file__).resolve().parents[2] / "kb_articles"


def pieces(word: str) -> list[str]:
    vectors = word_vectors()
    names = {number: token for token, number in vectors.tokenizer.ids.items()}
    return [names[number] for number in vectors.tokens(word)]


# Expected pieces as Llama 2's own tokenizer (the `tokenizers` library) splits these words.
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("password", ["▁password"]),
        ("unfriended", ["▁un", "fri", "ended"]),
        ("gmail", ["▁g", "mail"]),
        ("zażółć", ["▁za", "ż", "ół", "ć"]),
        ("i'd", ["▁i", "'", "d"]),
        ("2024", ["▁", "2", "0", "2", "4"]),
        ("😀", ["▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"]),
        ("龘x", ["▁", "<0xE9>", "<0xBE>", "<0x98>", "x"]),
    ],
)
def test_words_split_into_the_tokens_of_the_original_tokenizer(
    word: str, expected: list[str]
) -> None:
    assert pieces(word) == expected


def similarity(a: str, b: str) -> float:
    vectors = word_vectors()
    return float(vectors.embed(a) @ vectors.embed(b))


def test_a_paraphrase_is_closer_than_a_text_sharing_its_words() -> None:
    question = "Removing my FB account."

    assert similarity(question, "How do I delete my Facebook account?") > similarity(
        question, "Remove a payment method from your account"
    )


def test_vectors_are_unit_length_and_a_text_without_words_is_zero() -> None:
    vectors = word_vectors()

    assert np.linalg.norm(vectors.embed("Reset your password")) == pytest.approx(1.0, abs=1e-5)
    assert not vectors.embed("?!… --- ***").any()
    assert vectors.embed("").shape == (DIMENSIONS,)


def test_huge_words_and_texts_stay_cheap() -> None:
    vectors = WordVectors()

    vector = vectors.embed("x" * 100_000 + " password" * 50_000)

    assert vector.any()
    assert vectors.tokens("x" * 100_000) == vectors.tokens("x" * 40)


def test_search_finds_a_paraphrase_by_meaning(tmp_path: Path) -> None:
    kb = KnowledgeBase.open(DEMO_KB, tmp_path / "index")
    try:
        # No word of the question is in the article's title; "account" is in many articles.
        results = kb.search("get rid of my profile for good").results
        session = kb.search("someone else might be logged into my account").results
    finally:
        kb.close()

    assert results[0].slug == "delete-account"
    assert session[0].slug == "sessions"


def test_a_sentence_pasted_from_an_article_finds_that_article(tmp_path: Path) -> None:
    # Closer in meaning to other articles' titles; every word is in this one.
    kb = KnowledgeBase.open(DEMO_KB, tmp_path / "index")
    try:
        retry = kb.search(
            "We retry the charge automatically 3, 5 and 7 days after the first attempt."
        )
        window = kb.search("The web app is designed for screens at least 1280 pixels wide.")
    finally:
        kb.close()

    assert retry.results[0].slug == "failed-payments"
    assert window.results[0].slug == "browser-support"
