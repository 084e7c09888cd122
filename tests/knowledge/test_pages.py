"""Article pages: a build indexes text without rendering HTML; an article's page is rendered on
its first view, once, again after its file changes, and is the HTML a full render gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import parley.knowledge.articles as articles_module
from parley.knowledge import KnowledgeBase, load_article
from parley.knowledge.plaintext import extract
from parley.knowledge.render import Rendered, render
from tests.knowledge.conftest import write

SETUP = """\
---
title: Set up the widget
faq:
  - q: Does it work on *mobile*?
    a: Yes, on **every** phone.
---
# Set up the widget

Paste the snippet before `</body>` and reload, see [the FAQ](../faq.md#install).

## Options

| Option | Default |
|--------|--------:|
| `color` | blue |

```html
<script src="/widget.js"></script>
```

!!! tip "Good to know"
    The widget loads after the page.

## Options

- [x] Installed
- [ ] Styled

Setext heading
--------------
"""

# What the help center showed for SETUP when every article was rendered while indexing.
SETUP_HTML = (
    '<p>Paste the snippet before <code>&lt;/body&gt;</code> and reload, see <a href="/help/'
    'articles/faq#install">the FAQ</a>.</p>\n<h2 id="options">Options</h2>\n<table>\n<thead>\n'
    '<tr>\n<th>Option</th>\n<th style="text-align:right">Default</th>\n</tr>\n</thead>\n<tbody>\n'
    '<tr>\n<td><code>color</code></td>\n<td style="text-align:right">blue</td>\n</tr>\n</tbody>\n'
    '</table>\n<div class="highlight"><pre><span></span><code><span class="p">&lt;</span><span '
    'class="nt">script</span> <span class="na">src</span><span class="o">=</span><span class="s">'
    '"/widget.js"</span><span class="p">&gt;&lt;/</span><span class="nt">script</span><span '
    'class="p">&gt;</span>\n</code></pre></div>\n<div class="admonition tip">\n<p class="'
    'admonition-title">Good to know</p>\n<p>The widget loads after the page.</p>\n</div>\n<h2 '
    'id="options_1">Options</h2>\n<ul class="task-list">\n<li class="task-list-item"><input '
    'type="checkbox" checked="" disabled="disabled"> Installed</li>\n<li class="task-list-item">'
    '<input type="checkbox" disabled="disabled"> Styled</li>\n</ul>\n<h2 id="setext-heading">'
    'Setext heading</h2>\n<section class="faq">\n<div class="faq-item" id="faq-1"><h3>Does it '
    "work on *mobile*?</h3>\n<p>Yes, on <strong>every</strong> phone.</p></div>\n</section>"
)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source path of every article rendered to HTML from now on."""
    rendered: list[str] = []

    def counting_render(source: str, source_path: str) -> Rendered:
        rendered.append(source_path)
        return render(source, source_path)

    monkeypatch.setattr(articles_module, "render", counting_render)
    return rendered


def test_the_page_is_the_html_a_full_render_gave(tmp_path: Path) -> None:
    write(tmp_path, "guides/setup.md", SETUP)
    article = load_article(tmp_path / "guides/setup.md", tmp_path)

    assert article.html == SETUP_HTML
    expected = [(2, "options", "Options"), (2, "options_1", "Options")]
    expected.append((2, "setext-heading", "Setext heading"))
    assert [(h.level, h.anchor, h.text) for h in article.page.headings] == expected
    assert [(h.level, h.anchor, h.text) for h in article.headings] == expected
    assert article.summary == "Paste the snippet before </body> and reload, see the FAQ."


def test_a_build_renders_nothing_and_a_first_view_renders_once(
    kb_dir: Path, index_dir: Path, renders: list[str]
) -> None:
    kb = KnowledgeBase.open(kb_dir, index_dir)
    assert renders == []  # indexing reads text only
    assert kb.search("reset password").results  # … and search works from it

    page = kb.article("account/reset-password")
    assert page is not None
    assert '<h2 id="if-the-link-expired">' in page.html
    assert renders == ["account/reset-password.md"]
    assert '<h2 id="if-the-link-expired">' in kb.article("account/reset-password").html  # type: ignore[union-attr]
    assert renders == ["account/reset-password.md"]  # the second view is served rendered
    kb.close()


def test_an_edited_file_renders_again_and_the_others_stay_rendered(
    kb_dir: Path, index_dir: Path, renders: list[str]
) -> None:
    kb = KnowledgeBase.open(kb_dir, index_dir)
    for slug in ("account/reset-password", "billing/refunds"):
        assert kb.article(slug).html  # type: ignore[union-attr]
    renders.clear()

    edited = write(kb_dir, "billing/refunds.md", "# Refunds\n\nWe refund **unused** days.\n")
    kb.refresh([edited])

    assert "<strong>unused</strong> days" in kb.article("billing/refunds").html  # type: ignore[union-attr]
    assert kb.article("account/reset-password").html  # type: ignore[union-attr]
    assert renders == ["billing/refunds.md"]
    kb.close()


def test_a_render_failure_shows_the_text_instead_of_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a.md", "# A\n\nFish & <chips>\n")

    def broken(source: str, source_path: str) -> Rendered:
        raise ValueError("renderer bug")

    monkeypatch.setattr(articles_module, "render", broken)
    article = load_article(tmp_path / "a.md", tmp_path)
    assert article.html == "<p>A</p>\n<p>Fish &amp;</p>\n"


@pytest.mark.parametrize(
    "markdown",
    [
        "Fish &amp; chips, `<b>` tags, **bold**, *em*, ~~gone~~ and snake_case_word.\n",
        "See [the guide](guide.md 'Guide') and ![a chart](chart.png) or <https://example.com>.\n",
        "| A | B |\n|---|:-:|\n| 1 | *2* |\n| 3 | [x](y) |\n",
        "- one\n- two\n    - nested\n\n1. first\n2. second\n",
        "> quoted **text**\n> more\n",
        "```python\nprint('<hi>')  # *kept*\n```\n",
        '!!! note\n    Body text.\n\n!!! warning "Careful now"\n    More.\n',
        "<!-- hidden\nnote -->\nShown text.\n",
        '<div class="x">\nInside a <b>div</b>\n</div>\n\nAfter.\n',
        "Title\n=====\n\nSub\n---\n\nText\n\n---\n\nEnd\n",
        "# One #\n\n## One\n\n### Two *words*\n",
        "[ref link][r] text\n\n[r]: https://example.com\n",
        "Line with <style>p {}</style> styles and <script>x()</script> scripts.\n",
    ],
)
def test_the_indexed_text_is_the_text_of_the_rendered_page(markdown: str) -> None:
    extracted = extract(markdown)
    rendered = render(markdown, "a.md")
    assert extracted.text == rendered.text
    assert extracted.headings == rendered.headings
    assert extracted.first_paragraph == rendered.first_paragraph
