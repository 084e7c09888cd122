"""Markdown files → articles: front matter rules, fallbacks, rendering, sanitizing, links."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import pytest

from parley.knowledge import ArticleError, load_all, load_article
from parley.knowledge.render import render, tidy_text
from tests.knowledge.conftest import EVALDATA_CORPORA, corpus_file, write


def test_front_matter_sets_every_field(kb_dir: Path) -> None:
    article = load_article(kb_dir / "account/reset-password.md", kb_dir)

    assert article.title == "Reset your password"
    assert article.slug == "account/reset-password"
    assert (article.category, article.category_slug) == ("Account & login", "account-login")
    assert article.tags == ("password", "login")
    assert article.locale == "en"
    assert article.summary == "Request a reset link by email and choose a new password."
    assert article.source_path == "account/reset-password.md"
    assert article.updated_at.tzinfo == UTC
    assert not article.draft


def test_title_falls_back_to_first_heading_then_file_name(tmp_path: Path) -> None:
    write(tmp_path, "guides/first-steps.md", "Intro line.\n\n# Getting started\n\nText.\n")
    write(tmp_path, "guides/set-up_your-team.md", "No heading at all.\n")

    assert load_article(tmp_path / "guides/first-steps.md", tmp_path).title == "Getting started"
    fallback = load_article(tmp_path / "guides/set-up_your-team.md", tmp_path)
    assert fallback.title == "Set up your team"


def test_slug_from_front_matter_or_path(tmp_path: Path) -> None:
    write(tmp_path, "a/b/deep.md", "# Deep\n")
    write(tmp_path, "short.md", "---\nslug: /custom/slug/\n---\n# Short\n")

    assert load_article(tmp_path / "a/b/deep.md", tmp_path).slug == "a/b/deep"
    assert load_article(tmp_path / "short.md", tmp_path).slug == "custom/slug"


def test_slug_that_escapes_the_help_center_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "bad.md", "---\ntitle: Bad\nslug: ../../etc\n---\nText\n")

    with pytest.raises(ArticleError) as caught:
        load_article(tmp_path / "bad.md", tmp_path)
    assert caught.value.line == 3


def test_category_falls_back_to_top_folder_after_a_locale_folder(tmp_path: Path) -> None:
    write(tmp_path, "billing-and-plans/x.md", "# X\n")
    write(tmp_path, "pl/platnosci/y.md", "---\nlocale: pl\n---\n# Y\n")
    write(tmp_path, "z.md", "# Z\n")

    assert (
        load_article(tmp_path / "billing-and-plans/x.md", tmp_path).category == "Billing and plans"
    )
    assert load_article(tmp_path / "pl/platnosci/y.md", tmp_path).category == "Platnosci"
    assert load_article(tmp_path / "z.md", tmp_path).category == "General"


def test_tags_as_text_and_summary_from_first_paragraph(tmp_path: Path) -> None:
    long_paragraph = "word " * 80
    front = "---\ntags: billing, refund ,billing\n---\n"
    write(tmp_path, "t.md", f"{front}# T\n\n!!! note\n    Aside.\n\n{long_paragraph}\n")

    article = load_article(tmp_path / "t.md", tmp_path)
    assert article.tags == ("billing", "refund")
    assert article.summary.startswith("word word")
    assert len(article.summary) <= 200
    assert article.summary.endswith("…")


def test_faq_items_are_rendered_sanitized_and_anchored(kb_dir: Path) -> None:
    article = load_article(kb_dir / "account/reset-password.md", kb_dir)

    first, second = article.faq
    assert first.id == "account/reset-password#faq-1"
    assert first.question == "I didn't get the reset email. What now?"
    assert "<strong>spam</strong>" in first.answer_html
    assert first.answer_text == "Check your spam folder; links expire after one hour."
    assert second.id.endswith("#faq-2")
    assert 'id="faq-1"' in article.html  # the FAQ hit's link has a target on the page


def test_headings_have_anchors_and_the_repeated_title_is_not_shown_twice(kb_dir: Path) -> None:
    article = load_article(kb_dir / "account/reset-password.md", kb_dir)

    assert [(h.level, h.anchor, h.text) for h in article.headings] == [
        (2, "if-the-link-expired", "If the link expired")
    ]
    assert '<h2 id="if-the-link-expired">' in article.html
    assert "<h1" not in article.html


def test_markdown_features_survive_sanitizing(tmp_path: Path) -> None:
    write(
        tmp_path,
        "features.md",
        """
        # Features

        | Plan | Price |
        |------|------:|
        | Pro  | 10 |

        ```python
        print("hi")
        ```

        !!! warning "Careful"
            Refunds end the plan.

        - [x] Exported
        - [ ] Deleted

        ![Chart](img/chart.png)
        """,
    )

    html = load_article(tmp_path / "features.md", tmp_path).html
    assert "<table>" in html
    assert '<td style="text-align:right">10</td>' in html
    assert '<div class="highlight">' in html
    assert '<span class="nb">print</span>' in html
    assert 'class="admonition warning"' in html
    assert '<p class="admonition-title">Careful</p>' in html
    assert re.search(r'<input type="checkbox" (?=[^>]*disabled)(?=[^>]*checked)[^>]*>', html)
    assert '<img alt="Chart" src="/help/assets/img/chart.png">' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        '<img src="x.png" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div onclick="steal()" style="position:fixed">hi</div>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_hostile_markup_renders_inert(tmp_path: Path, hostile: str) -> None:
    write(tmp_path, "evil.md", f"# Evil\n\n{hostile}\n\nAfter.\n")

    html = load_article(tmp_path / "evil.md", tmp_path).html.lower()
    for dangerous in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "style=",
        "alert(",
    ):
        assert dangerous not in html
    assert "after." in html


def test_relative_links_point_into_the_help_center(tmp_path: Path) -> None:
    write(
        tmp_path,
        "guides/start.md",
        """
        # Start

        See [refunds](../billing/refunds.md), [a section](setup.md#step-2),
        [the PDF](files/guide.pdf), [outside](https://example.com/x),
        [top](#start), [mail](mailto:help@example.com) and [secret](../../etc/passwd.md).
        """,
    )

    html = load_article(tmp_path / "guides/start.md", tmp_path).html
    assert '<a href="/help/articles/billing/refunds">refunds</a>' in html
    assert '<a href="/help/articles/guides/setup#step-2">a section</a>' in html
    assert '<a href="/help/assets/guides/files/guide.pdf">the PDF</a>' in html
    assert '<a href="https://example.com/x" rel="noopener">outside</a>' in html
    assert '<a href="#start">top</a>' in html
    assert '<a href="mailto:help@example.com" rel="noopener">mail</a>' in html
    assert "etc/passwd" not in html


def test_plain_text_is_readable_and_decoded(tmp_path: Path) -> None:
    write(tmp_path, "t.md", "# T\n\nFish &amp; chips, `<b>` tags.\n\n- one\n- two\n")

    text = load_article(tmp_path / "t.md", tmp_path).text
    assert "Fish & chips, <b> tags." in text
    assert "one\ntwo" in text


def test_broken_files_become_problems_with_lines_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path, "good.md", "# Good\n")
    write(tmp_path, "bad-yaml.md", "---\ntitle: Fine\ntags: [unclosed\nlocale: en\n---\n# Bad\n")
    write(tmp_path, "not-closed.md", "---\ntitle: Never closed\n# Body\n")
    write(tmp_path, "bad-locale.md", "---\ntitle: X\n\nlocale: English please\n---\nX\n")
    write(tmp_path, "list.md", "---\n- just\n- a list\n---\nX\n")
    (tmp_path / "latin1.md").write_bytes(b"# Caf\xc3\xa9\n\nline two\nna\xefve\n")
    write(tmp_path, "zz-dup.md", "---\nslug: good\n---\n# Duplicate\n")

    articles, problems = load_all(tmp_path)

    assert [a.slug for a in articles] == ["good"]
    found = {p.path: (p.line, p.message) for p in problems}
    assert found["bad-yaml.md"][0] in (3, 4)
    assert "YAML" in found["bad-yaml.md"][1]
    assert found["not-closed.md"] == (1, "front matter starts with '---' but is never closed")
    assert found["bad-locale.md"][0] == 4
    assert found["list.md"][0] == 2
    assert found["latin1.md"] == (4, "not UTF-8 text; save the file as UTF-8")
    assert "already used by good.md" in found["zz-dup.md"][1]


def test_drafts_are_loaded_but_marked(tmp_path: Path) -> None:
    write(tmp_path, "soon.md", "---\ntitle: Soon\ndraft: true\n---\nNot yet.\n")

    (article,), _ = load_all(tmp_path)
    assert article.draft


def test_jekyll_front_matter_with_raw_html_imports() -> None:
    path = corpus_file("arduino/content/Custom/Hubs/Account-Support.md")

    article = load_article(path, EVALDATA_CORPORA)
    assert article.title == "Account Support"
    assert "Troubleshooting" in article.text
    assert 'href="https://support.arduino.cc/' in article.html
    assert 'rel="noopener"' in article.html
    assert "<!--" not in article.html


def test_docusaurus_imports_admonitions_and_jsx_import() -> None:
    path = corpus_file("plausible/docs/file-downloads-tracking.md")

    article = load_article(path, EVALDATA_CORPORA)
    assert article.title == "File downloads tracking"
    assert article.summary.startswith("See which files visitors download")  # description
    assert "import useBaseUrl" not in article.text
    assert "useBaseUrl" not in article.html
    assert ":::" not in article.text
    assert '<div class="admonition tip">' in article.html
    assert '<p class="admonition-title">Using WordPress?</p>' in article.html
    assert '<a href="/help/articles/plausible/docs/script-extensions">' in article.html


def test_microsoft_docs_alerts_and_images_import() -> None:
    path = corpus_file(
        "msoffice/SkypeforBusiness/SkypeHybrid/hybrid-meetings/present-content-on-premises-meeting.md"
    )

    article = load_article(path, EVALDATA_CORPORA)
    assert article.title == "Online users can't present content in on-premises hosted meetings"
    assert "[!NOTE]" not in article.text
    assert '<div class="admonition note">' in article.html
    assert ":::image" not in article.html
    assert "present-content-on-premises-meeting/error.png" in article.html
    assert [h.text for h in article.headings][:2] == [
        "Online users can't present content in on-premises hosted meetings in a Skype for "
        "Business hybrid deployment",
        "Symptoms",
    ]


def test_an_unclosed_style_does_not_swallow_the_rest_of_the_article() -> None:
    source = (
        "# Title\n\nBefore.\n\n<style>\nbody { display: none }\n\nAfter it.\n\n## Later\n\n"
        "Inline `<style>` stays code; <style>p{}</style> closed goes; <script>x()\n\n"
        "```html\n<style>kept { as: code }</style>\n```\n\nThe end.\n"
    )
    rendered = render(source, "a.md")
    for survivor in ("After it.", "Later", "The end.", "kept"):
        assert survivor in rendered.html
    assert "<code>&lt;style&gt;</code>" in rendered.html
    assert "p{}" not in rendered.html
    assert "<style" not in rendered.html
    assert "<script" not in rendered.html


def test_tidy_text_makes_spaces_one_trims_lines_and_keeps_tabs() -> None:
    assert tidy_text(" a  b\xa0\xa0c \r\n\n \u3000\n\td\t e\t \n\n") == "a b c\n\td\t e"
    assert tidy_text("cell\t\tnext\t\n\t\n") == "cell\t\tnext\t\n\t".strip()
    # Every kind of whitespace but the tab is trimmed from a line's ends, as regular
    # expressions' \s knows them.
    for space in (chr(c) for c in range(0x3001) if chr(c).isspace() and chr(c) not in "\t\n"):
        assert tidy_text(f"a{space}\n{space}b") == "a\nb", repr(space)
