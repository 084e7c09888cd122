"""Markdown → the plain text, headings and first paragraph that indexing needs, without
rendering HTML.

Rendering an article (``render.py``) costs more than everything else a build does together, and
the index only needs words: so a build reads articles with this line-by-line pass, and the HTML
is rendered when an article is first shown. The pass mirrors what ``render.text_of`` reads from
the rendered HTML (one line per block, a table row's cells each ended by a tab, code kept as
written, link targets, images, tags and comments dropped), closely enough that search ranks the
same; it does not have to be exact, because pages are always shown from the real render.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown.extensions.toc import unique
from pymdownx.slugs import slugify

from parley.knowledge.dialects import normalize
from parley.knowledge.render import RAW_TEXT_TAGS, tidy_text

_slug = slugify(case="lower")

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}>[ ]?")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_ADMONITION = re.compile(r'^[ \t]*!!! ?([\w-]+)(?: +[\w-]+)*(?: +"(.*?)")? *$')
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_HTML_BLOCK = re.compile(
    r"^ {0,3}<(/?)(address|article|aside|blockquote|center|details|dd|div|dl|dt|fieldset|"
    r"figcaption|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|"
    r"table|tbody|td|tfoot|th|thead|tr|ul)(?=[\s/>])",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\](?:\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)|\[[^\]]*\])")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\((?:[^()]|\([^)]*\))*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]*|(?:mailto:)?[^<>\s@]+@[^<>\s]+)>")
_RAW_TEXT_ELEMENT = re.compile(rf"<({RAW_TEXT_TAGS})\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_END_TAG = re.compile(
    r"</(?:p|h[1-6]|li|tr|pre|div|blockquote|dd|dt|summary|figcaption)\s*>|<br\s*/?>", re.I
)
_CELL_END_TAG = re.compile(r"</t[dh]\s*>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_STRONG_EM = re.compile(r"(?<!\*)(\*{1,3})(?=\S)(.+?)(?<=\S)\1(?!\*)")
_UNDERSCORE = re.compile(r"(?<![\w])(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_OPEN_TAG_START = re.compile(r"^[ \t]*<[A-Za-z][^<>]*$")  # a tag whose attributes go on below


@dataclass(frozen=True)
class Extracted:
    text: str
    headings: tuple[tuple[int, str, str], ...]  # (level, anchor, text), as render.Rendered
    first_paragraph: str


def extract(source: str) -> Extracted:
    """The text, headings and first top-level paragraph of one article's Markdown body."""
    return _Reader(normalize(source).split("\n")).read()


def inline_text(markdown: str) -> str:
    """A line of Markdown as the words it shows: code spans kept as written, link text without
    its target, images, tags and comments gone, emphasis marks dropped, entities decoded."""
    if "`" not in markdown:
        text = _inline_markup(markdown)
    else:
        pieces = _CODE_SPAN.split(markdown)
        out: list[str] = []
        # split() yields text, then each span's backticks and content: keep the content as is.
        for index in range(0, len(pieces), 3):
            out.append(_inline_markup(pieces[index]))
            if index + 2 < len(pieces):
                out.append(html.escape(pieces[index + 2].strip(), quote=False))
        text = "".join(out)
    return html.unescape(text) if "&" in text else text


def _inline_markup(text: str) -> str:
    """Each rewrite runs only when the characters it looks for are there: most lines are plain
    words, and this runs for every line of every article in a build."""
    if "[" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub("", text))
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _RAW_TEXT_ELEMENT.sub("", _COMMENT.sub("", text))
        text = _CELL_END_TAG.sub("\t", _BLOCK_END_TAG.sub("\n", text))
        text = _TAG.sub("", text)
    if "*" in text:
        text = _STRONG_EM.sub(r"\2", text)
    if "_" in text:
        text = _UNDERSCORE.sub(r"\2", text)
    if "~" in text:
        text = _STRIKE.sub(r"\1", text)
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


def _html_text(line: str) -> str:
    """The text of a line of raw HTML, as the sanitizer and ``text_of`` leave it."""
    if "<" in line:
        line = _RAW_TEXT_ELEMENT.sub("", _COMMENT.sub("", line))
        line = _TAG.sub("", _CELL_END_TAG.sub("\t", _BLOCK_END_TAG.sub("\n", line)))
    return html.unescape(line) if "&" in line else line


class _Reader:
    """One pass over the lines, block by block (code, headings, tables, paragraphs…)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.out: list[str] = []
        self.headings: list[tuple[int, str, str]] = []
        self.anchors: set[str] = set()
        self.first_paragraph = ""
        self.paragraph: list[str] = []  # lines of the current top-level paragraph
        self.in_paragraph = False  # the previous line continues a paragraph
        self.in_html = False  # inside a raw HTML block (it ends at a blank line)

    def read(self) -> Extracted:
        i = 0
        while i < len(self.lines):
            i = self._block(i)
        self._end_paragraph()
        return Extracted(tidy_text("\n".join(self.out)), tuple(self.headings), self.first_paragraph)

    def _block(self, i: int) -> int:
        line = self.lines[i]
        if not line.strip():
            self._end_paragraph()
            self.in_html = False
            return i + 1
        if "<!--" in line:
            return self._comment(i)
        # Each pattern below can only match a line starting (after spaces) with certain
        # characters: most lines are words, and skip them all.
        first = line.lstrip()[0]
        fence = _FENCE.match(line) if first in "`~" else None
        if fence:
            return self._code(i + 1, fence.group(1))
        if first in "-*_" and _RULE.match(line) and not self.in_paragraph:
            self._end_paragraph()
            return i + 1
        heading = _ATX.match(line) if first == "#" else None
        if heading:
            self._end_paragraph()
            self._heading(len(heading.group(1)), heading.group(2) or "")
            return i + 1
        setext = first in "=-" and self.in_paragraph and len(self.paragraph) == 1
        if setext and _SETEXT.match(line):
            text = self.paragraph[0]
            self.out.pop()
            self.paragraph = []
            self.in_paragraph = False
            self._heading(1 if line.strip()[0] == "=" else 2, text)
            return i + 1
        if "|" in line and i + 1 < len(self.lines) and _TABLE_RULE.match(self.lines[i + 1]):
            self._end_paragraph()
            return self._table(i)
        if first == "[" and _REFERENCE.match(line):
            return i + 1
        admonition = _ADMONITION.match(line) if first == "!" else None
        if admonition:
            self._end_paragraph()
            title = admonition.group(2)
            shown = admonition.group(1).capitalize() if title is None else title
            if shown:
                self.out.append(inline_text(shown))
            return i + 1
        if first == "<" and _OPEN_TAG_START.match(line):
            return self._tag_lines(i)
        return self._text(i, line)

    def _tag_lines(self, i: int) -> int:
        """A tag written over several lines (an MDX component's props): joined, then read."""
        end = i
        while end + 1 < len(self.lines) and ">" not in self.lines[end]:
            end += 1
        self.lines[end] = " ".join(line.strip() for line in self.lines[i : end + 1])
        return self._text(end, self.lines[end]) if ">" in self.lines[end] else end + 1

    def _text(self, i: int, line: str) -> int:
        starts = not self.in_paragraph
        first = line.lstrip()[:1]  # as in _block: most lines start with a word, and skip these
        # A list cannot interrupt a paragraph: "1. …" right under a line of text is that text.
        listed = starts and (first in "-*+" or first.isdigit()) and _LIST_ITEM.match(line)
        quoted = first == ">" and _QUOTE.match(line)
        contained = quoted or listed or line.startswith(("    ", "\t"))
        block = _HTML_BLOCK.match(line) if first == "<" else None
        if block and starts and not block.group(1):
            return self._raw_html(i, block.group(2).lower())
        if block:
            self.in_html = True
        if contained or self.in_html:
            self._end_paragraph()
            stripped = _QUOTE.sub("", line)
            self.out.append(inline_text(_LIST_ITEM.sub("", stripped) if listed else stripped))
            self.in_paragraph = False
            return i + 1
        text = inline_text(line)
        self.out.append(text)
        if starts:
            self.paragraph = [text]
        elif self.paragraph:
            self.paragraph.append(text)
        self.in_paragraph = True
        return i + 1

    def _raw_html(self, i: int, tag: str) -> int:
        """A block of raw HTML runs to its closing tag, blank lines and all, and the Markdown
        inside it is not Markdown: only its tags go."""
        self._end_paragraph()
        opening = re.compile(rf"<{tag}(?=[\s/>])", re.IGNORECASE)
        closing = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
        depth = 0
        while i < len(self.lines):
            line = self.lines[i]
            i += 1
            self.out.append(_html_text(line))
            depth += len(opening.findall(line)) - len(closing.findall(line))
            if depth <= 0:
                break
        return i

    def _end_paragraph(self) -> None:
        if self.paragraph and not self.first_paragraph:
            self.first_paragraph = tidy_text(" ".join(self.paragraph))
        self.paragraph = []
        self.in_paragraph = False

    def _heading(self, level: int, source: str) -> None:
        text = tidy_text(inline_text(source))
        anchor = unique(_slug(text, "-"), self.anchors)  # adds it to the anchors taken
        self.headings.append((level, anchor, text))
        self.out.append(text)

    def _code(self, i: int, fence: str) -> int:
        """Fenced code as written (its info string dropped), up to the closing fence."""
        while i < len(self.lines):
            closing = _FENCE.match(self.lines[i])
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                return i + 1
            self.out.append(self.lines[i])
            i += 1
        return i

    def _comment(self, i: int) -> int:
        """An HTML comment (maybe over several lines) is dropped, the text around it is kept."""
        joined = self.lines[i]
        end = i
        while "-->" not in joined[joined.index("<!--") :] and end + 1 < len(self.lines):
            end += 1
            joined += "\n" + self.lines[end]
        rest = _COMMENT.sub("", joined)
        if "<!--" in rest:  # never closed: the rest of the article is the comment
            rest = rest[: rest.index("<!--")]
        self.lines[end] = rest
        return end if rest.strip() else end + 1

    def _table(self, i: int) -> int:
        """A pipe table: each row's cells, each followed by a tab (as ``text_of`` reads cells)."""
        self._row(self.lines[i])
        i += 2  # the header row and the rule under it
        while i < len(self.lines) and "|" in self.lines[i] and self.lines[i].strip():
            self._row(self.lines[i])
            i += 1
        return i

    def _row(self, line: str) -> None:
        cells = _CELL_SPLIT.split(line.strip().removeprefix("|").removesuffix("|"))
        self.out.append("".join(inline_text(cell).strip() + "\t" for cell in cells))
