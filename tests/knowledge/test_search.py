"""Search as visitors, the widget and the bot use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.errors import BadRequest
from parley.knowledge import KnowledgeBase, SearchResponse
from tests.knowledge.conftest import write


def top(response: SearchResponse) -> str:
    assert response.results, f"nothing found for {response.query!r}"
    return response.results[0].slug


def test_a_plain_question_finds_its_article(kb: KnowledgeBase) -> None:
    response = kb.search("How do I reset my password?")

    assert top(response) == "account/reset-password"
    hit = response.results[0]
    assert (hit.kind, hit.title, hit.category) == (
        "article",
        "Reset your password",
        "Account & login",
    )
    assert hit.url == "/help/articles/account/reset-password"
    assert response.suggestion is None


def test_the_word_being_typed_matches_as_a_prefix(kb: KnowledgeBase) -> None:
    assert top(kb.search("passw")) == "account/reset-password"
    assert top(kb.search("reset passw")) == "account/reset-password"
    assert "billing/refunds" in [hit.slug for hit in kb.search("refu").results]


@pytest.mark.parametrize(
    ("typed", "meant", "slug"),
    [
        ("pasword", "password", "account/reset-password"),
        ("refnd", "refund", "billing/refunds"),
        ("invioce", "invoice", "billing/invoices"),  # letters swapped
    ],
)
def test_typos_find_the_article_and_suggest_the_spelling(
    kb: KnowledgeBase, typed: str, meant: str, slug: str
) -> None:
    response = kb.search(typed)

    assert slug in [hit.slug for hit in response.results[:2]]
    assert response.suggestion == meant


def test_did_you_mean_keeps_the_rest_of_the_query(kb: KnowledgeBase) -> None:
    assert kb.search("how to get a refnd?").suggestion == "how to get a refund?"
    assert kb.search("how to get a refund?").suggestion is None


def test_snippets_mark_matches_and_escape_the_document(kb: KnowledgeBase) -> None:
    hit = kb.search("webhook bold tag").results[0]

    assert hit.slug == "integrations/webhooks"
    assert "<mark>tag</mark> &lt;b&gt; for <mark>bold</mark>" in hit.snippet_html
    assert "<b>" not in hit.snippet_html


def test_faq_items_are_results_of_their_own(kb: KnowledgeBase) -> None:
    response = kb.search("reset email never arrived spam")

    faq = next(hit for hit in response.results if hit.kind == "faq")
    assert faq.id == "account/reset-password#faq-1"
    assert faq.slug == "account/reset-password"
    assert faq.title == "I didn't get the reset email. What now?"
    assert faq.url == "/help/articles/account/reset-password#faq-1"
    assert "<mark>spam</mark>" in faq.snippet_html


def test_locale_prefers_the_visitors_language_and_falls_back_to_english(kb: KnowledgeBase) -> None:
    polish = kb.search("zwrot pieniędzy", locale="pl")
    assert top(polish) == "pl/zwrot-pieniedzy"
    assert top(kb.search("zwrot pieniedzy", locale="pl-PL")) == "pl/zwrot-pieniedzy"  # no accents

    fallback = kb.search("download invoice pdf", locale="pl")
    assert top(fallback) == "billing/invoices"

    english = kb.search("refund my subscription", locale="en")
    assert top(english) == "billing/refunds"
    assert not [hit.slug for hit in english.results if hit.slug.startswith("pl/")]


def test_a_question_in_another_language_finds_that_languages_articles(kb: KnowledgeBase) -> None:
    # A Polish visitor on an English page (or in an English widget) still gets the answer.
    assert top(kb.search("zwrot pieniędzy", locale="en")) == "pl/zwrot-pieniedzy"
    assert top(kb.search("zwrot pieniędzy za plan roczny", locale="en-GB")) == "pl/zwrot-pieniedzy"


def test_gibberish_finds_nothing_even_when_a_half_word_completes(kb: KnowledgeBase) -> None:
    assert kb.search("xyzzy qwerty downl").results == []
    assert top(kb.search("downl")) == "billing/invoices"  # the first letters alone still find it


def test_quoted_phrases_must_appear_in_order(kb: KnowledgeBase) -> None:
    assert top(kb.search('"yearly plan"')) == "billing/refunds"
    assert kb.search('"plan yearly"').results == []


def test_quoted_phrases_with_apostrophes_match_either_kind(kb: KnowledgeBase) -> None:
    # Visitors paste error messages in quotes; the article may use a typographic apostrophe.
    typed = kb.search('"I didn\'t get the reset email"')
    curly = kb.search('"didn’t get the reset"')

    assert top(typed) == "account/reset-password"
    assert top(curly) == "account/reset-password"


def test_confidence_separates_answers_from_guesses(kb: KnowledgeBase) -> None:
    clear = kb.search("How can I reset my password?")
    unrelated = kb.search("what is the weather like on mars")
    gibberish = kb.search("qwxz vbnmk plorft")

    assert clear.confidence >= 0.6
    assert unrelated.confidence < 0.3
    assert gibberish.confidence < 0.1
    assert gibberish.results == []


def test_as_json_is_the_wire_shape(kb: KnowledgeBase) -> None:
    payload = kb.search("refund").as_json()

    assert set(payload) == {"query", "took_ms", "suggestion", "results", "confidence"}
    assert payload["query"] == "refund"
    (result, *_) = payload["results"]  # type: ignore[misc]
    assert set(result) == {
        "kind",
        "id",
        "slug",
        "title",
        "url",
        "snippet_html",
        "category",
        "score",
    }


def test_empty_query_is_a_bad_request(kb: KnowledgeBase) -> None:
    for blank in ("", "   ", "\n\t"):
        with pytest.raises(BadRequest):
            kb.search(blank)


def test_limit_is_capped(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    for number in range(60):
        write(kb_dir, f"many/a{number}.md", f"# Widget {number}\n\nWidget tips.\n")
    kb = KnowledgeBase.open(kb_dir, tmp_path / "index")

    assert len(kb.search("widget", limit=500).results) == 50
    assert len(kb.search("widget", limit=0).results) == 1
    kb.close()


@pytest.mark.parametrize(
    "odd",
    [
        "title:(",
        "*",
        "AND OR NOT",
        '"unbalanced quote',
        "((((",
        "?!.,;:'\"",
        "body:password^5 OR title:[a TO z]",
        "x" * 10_000,
        "password " * 2_000,
        "🙂🙃 émoji ñ",
        "\x00\x01 control",
        "-refund +password ~fuzzy~2",
    ],
)
def test_odd_queries_never_raise(kb: KnowledgeBase, odd: str) -> None:
    response = kb.search(odd)
    assert 0.0 <= response.confidence <= 1.0


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_any_text_is_a_valid_query(kb: KnowledgeBase, text: str) -> None:
    response = kb.search(text, limit=3)
    assert len(response.results) <= 3
    assert response.suggestion is None or isinstance(response.suggestion, str)


def test_related_articles_share_words_category_and_tags(kb: KnowledgeBase) -> None:
    related = [a.slug for a in kb.related("billing/refunds")]

    assert related[0] == "billing/invoices"
    assert "billing/refunds" not in related
    assert kb.related("no/such/article") == []


def test_categories_and_listing_per_locale(kb: KnowledgeBase) -> None:
    categories = {(c.slug, c.name, c.article_count) for c in kb.categories("en")}
    assert categories == {
        ("account-login", "Account & login", 1),
        ("billing", "Billing", 2),
        ("integrations", "Integrations", 1),
    }
    assert [c.name for c in kb.categories("pl")] == ["Płatności"]
    assert [a.title for a in kb.articles("en")][:3] == [
        "Reset your password",
        "Download invoices",
        "Refunds",
    ]


def test_snippets_read_as_sentences_not_glued_headings_or_flattened_tables(
    kb_dir: Path, index_dir: Path
) -> None:
    write(
        kb_dir,
        "billing/plans.md",
        """
        ---
        title: Plans
        category: Billing
        ---

        # Plans

        ## Footer and notes
        If you want a quiet footer, pick a paid plan.

        | | Free | Pro |
        |---|---|---|
        | Remove the footer | — | ✓ |
        | Price | $0 | $12 |

        Zwrot w ciągu 30 dni.
        """,
    )
    kb = KnowledgeBase.open(kb_dir, index_dir)
    try:
        snippet = kb.search("footer").results[0].snippet_html
        assert snippet.startswith("<mark>Footer</mark> and notes. If you")  # not the title again
        assert "Remove the <mark>footer</mark>. Price: $0, $12." in snippet  # no "— ✓" cells
        assert "Free" not in snippet  # a header row is no sentence
        polish = [hit.snippet_html for hit in kb.search("zwrot w ciągu", locale="pl").results]
        assert any("<mark>ciągu</mark>" in html for html in polish)
        assert not any("<mark>w</mark>" in html for html in polish)
    finally:
        kb.close()
