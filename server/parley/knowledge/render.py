"""Markdown → safe HTML, plus what the rest of the knowledge path needs from it.

Order matters: Markdown renders (tables, highlighted code with CSS classes, admonitions, task
lists, heading ids), then nh3 sanitizes with an allow-list, rewriting URLs on the way (relative
article links → ``/help/articles/<slug>``, relative images → ``/help/assets/<path>``). Text,
headings and the first paragraph are read from the sanitized HTML, which nh3 emits in one
canonical form, so small regular expressions over it are exact.
"""

from __future__ import annotations

import html
import posixpath
import re
import threading
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote, unquote

import markdown
import nh3
from markdown.preprocessors import Preprocessor
from pymdownx.slugs import slugify

from parley.knowledge.dialects import normalize

ARTICLE_PREFIX = "/help/articles/"
ASSET_PREFIX = "/help/assets/"

_EXTENSIONS = [
    "tables",
    "admonition",
    "toc",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tasklist",
    "pymdownx.tilde",
]
_EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"css_class": "highlight", "guess_lang": False, "noclasses": False},
    "pymdownx.tasklist": {"custom_checkbox": False},
    "toc": {"slugify": slugify(case="lower")},
}

_TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "div", "span"),
    *("strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small", "abbr"),
    *("code", "pre", "kbd", "samp", "var", "ul", "ol", "li", "dl", "dt", "dd", "input"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"),
    *("a", "img", "figure", "figcaption", "details", "summary", "section"),
}
_CLASSED = ("div", "span", "p", "pre", "code", "ul", "ol", "li", "section")
_ATTRIBUTES: dict[str, set[str]] = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    **{tag: {"class"} for tag in _CLASSED},
    "div": {"class", "id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"class", "start"},
    "input": {"checked"},
    "abbr": {"title"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_A_TAG = re.compile(r'<a((?:\s+[\w:-]+(?:="[^"]*")?)*)>')
_HREF = re.compile(r'\shref="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|tr|pre|div|blockquote|dd|dt|summary|figcaption)>|<br>")
_CELL_END = re.compile(r"</t[dh]>(?:\s*(?=<t[dh][\s>]))?")
# Runs of spaces to make one (not tabs: they end table cells, and snippets read rows). A single
# plain space, most of them, is not matched at all: the text is not rebuilt for nothing.
_SPACES = re.compile(r" [ \r\f\v\xa0]+|[\r\f\v\xa0][ \r\f\v\xa0]*")
# What a line loses at both ends: every character str.isspace() (and the regular expressions'
# \s) calls whitespace, but the tab and the newline lines are split at.
_LINE_ENDS = (
    "\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_CONTAINER_OPEN = re.compile(r"<(?:div|blockquote|li|td|th|details)[\s>]")
_CONTAINER_CLOSE = re.compile(r"</(?:div|blockquote|li|td|th|details)>")

_local = threading.local()


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str
    headings: tuple[tuple[int, str, str], ...]  # (level, anchor, text)
    first_paragraph: str


def article_url(slug: str, anchor: str = "") -> str:
    """Where the help center shows an article (``anchor``: a heading or ``faq-N`` inside it)."""
    return ARTICLE_PREFIX + quote(slug) + (f"#{anchor}" if anchor else "")


def render(source: str, source_path: str) -> Rendered:
    """Render one article's Markdown; ``source_path`` (relative to the KB dir) anchors its links."""
    md = _markdown()
    md.reset()
    raw = md.convert(normalize(source))
    safe = sanitize(raw, source_path)
    return Rendered(
        html=safe,
        text=text_of(safe),
        headings=tuple(_flatten(md.toc_tokens)),
        first_paragraph=first_paragraph(safe),
    )


def render_fragment(source: str, source_path: str) -> str:
    """Render a short Markdown fragment (an FAQ answer) with the same rules as an article."""
    md = _markdown()
    md.reset()
    return sanitize(md.convert(normalize(source)), source_path)


RAW_TEXT_TAGS = "script|style|template|iframe|object|noscript"
_RAW_TEXT_ELEMENT = re.compile(rf"<({RAW_TEXT_TAGS})\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_RAW_TEXT_TAG = re.compile(rf"<(/?(?:{RAW_TEXT_TAGS})\b)", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+).*?\1", re.DOTALL)
_BLOCK_BREAK = re.compile(r"(\n[ \t]*\n)")


def _contain_raw_text(block: str) -> str:
    """One Markdown block outside code spans: a ``<style>`` (or script, iframe…) closed in the
    block goes with its content, one left unclosed is shown as text. Left as it was, an
    unclosed one runs to the end of the article, and the sanitizer drops everything after it."""
    parts = _CODE_SPAN.split(block)
    spans = [match.group(0) for match in _CODE_SPAN.finditer(block)]
    texts = parts[::2]  # split() also returns each span's backtick group: skip those
    contained = [_RAW_TEXT_TAG.sub(r"&lt;\1", _RAW_TEXT_ELEMENT.sub("", text)) for text in texts]
    return "".join(text + span for text, span in zip(contained, [*spans, ""], strict=True))


class _RawTextContainer(Preprocessor):  # type: ignore[misc]  # markdown has no type hints
    """Runs after fenced code is set aside and before raw HTML blocks are read."""

    def run(self, lines: list[str]) -> list[str]:
        blocks = _BLOCK_BREAK.split("\n".join(lines))
        return "".join(
            block if index % 2 else _contain_raw_text(block) for index, block in enumerate(blocks)
        ).split("\n")


def sanitize(raw_html: str, source_path: str) -> str:
    """Allow-list sanitizing: scripts, event handlers and ``javascript:`` URLs cannot survive."""
    cleaner = nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags=set(RAW_TEXT_TAGS.split("|")),
        attributes=_ATTRIBUTES,
        attribute_filter=partial(_rewrite_url, posixpath.dirname(source_path)),
        link_rel=None,
        url_schemes=_SCHEMES,
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        set_tag_attribute_values={"input": {"disabled": "disabled"}},
        filter_style_properties={"text-align"},
    )
    return _A_TAG.sub(_mark_external, cleaner.clean(raw_html))


def text_of(safe_html: str) -> str:
    """Readable plain text of sanitized HTML: one line per block (a table row's cells end with
    a tab), entities decoded."""
    spaced = _CELL_END.sub("\t", _BLOCK_END.sub("\n", safe_html))
    return tidy_text(html.unescape(_TAG.sub("", spaced)))


def tidy_text(plain: str) -> str:
    """Plain text with runs of spaces made one, lines trimmed and blank lines dropped (tabs
    are kept). Line by line rather than one regular expression over the whole text: a build
    runs this over every article, and the expression tried a match at every space."""
    lines = _SPACES.sub(" ", plain).split("\n")
    return "\n".join(kept for line in lines if (kept := line.strip(_LINE_ENDS))).strip()


def first_paragraph(safe_html: str) -> str:
    """The first top-level paragraph: not an admonition's, a quote's or a table's."""
    for match in _PARAGRAPH.finditer(safe_html):
        before = safe_html[: match.start()]
        nested = len(_CONTAINER_OPEN.findall(before)) - len(_CONTAINER_CLOSE.findall(before))
        text = text_of(match.group(1))
        if text and nested <= 0:
            return text
    return ""


def _markdown() -> markdown.Markdown:
    """One Markdown instance per thread: building one costs more than rendering an article."""
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)
        md.preprocessors.register(_RawTextContainer(md), "contain_raw_text", 21)
        _local.md = md
    return md


def _flatten(tokens: list[dict[str, object]]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for token in tokens:
        name = html.unescape(_TAG.sub("", str(token["name"])))
        out.append((int(str(token["level"])), str(token["id"]), name))
        children = token["children"]
        assert isinstance(children, list)
        out.extend(_flatten(children))
    return out


def _rewrite_url(base_dir: str, tag: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: point relative article links and images into the help center."""
    if (tag, attribute) not in {("a", "href"), ("img", "src")}:
        return value
    url = value.strip()
    if url.startswith("{"):  # an MDX expression such as {useBaseUrl('img/x.png')}
        return None
    if not url or url.startswith(("#", "/", "?")) or _EXTERNAL.match(url):
        return url
    path, _, fragment = url.partition("#")
    path = path.partition("?")[0]
    resolved = posixpath.normpath(posixpath.join(base_dir, unquote(path)))
    if resolved.startswith("../") or resolved == "..":
        return None  # outside the knowledge base: nothing the help center could serve
    if tag == "a" and _is_article(resolved):
        return article_url(resolved.removesuffix(".md").removesuffix(".mdx"), fragment)
    return ASSET_PREFIX + quote(resolved) + (f"#{fragment}" if fragment else "")


def _is_article(path: str) -> bool:
    name = posixpath.basename(path)
    return name.endswith((".md", ".mdx")) or "." not in name


def _mark_external(match: re.Match[str]) -> str:
    attributes = match.group(1)
    href = _HREF.search(attributes)
    if href and _EXTERNAL.match(html.unescape(href.group(1))):
        return f'<a{attributes} rel="noopener">'
    return match.group(0)
