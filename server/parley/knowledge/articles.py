"""Knowledge-base articles: one Markdown file → one ``Article`` of plain values.

Front matter is optional and forgiving (Jekyll, Docusaurus and Microsoft Docs keys are ignored
when Parley has no use for them); a file Parley cannot read becomes a ``Problem`` with a file
and a line, never an exception that stops the rest of the knowledge base from loading.
"""

from __future__ import annotations

import html
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath

from parley.errors import ParleyError
from parley.knowledge import frontmatter
from parley.knowledge.analysis import fold
from parley.knowledge.plaintext import Extracted, extract
from parley.knowledge.render import Rendered, render, render_fragment, text_of

SUMMARY_CHARS = 200
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
DEFAULT_LOCALE = "en"
DEFAULT_CATEGORY = "General"

_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LEADING_H1 = re.compile(r"\s*<h1[^>]*>(.*?)</h1>\s*", re.S)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaqItem:
    id: str
    question: str
    answer_html: str
    answer_text: str


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Page:
    """What the help center shows of an article: its HTML, and its headings with the anchors
    that HTML gives them."""

    html: str
    headings: tuple[Heading, ...]


@dataclass(frozen=True)
class Article:
    """One article as indexed: its text and headings come from a light pass over the Markdown
    (``plaintext.py``); its HTML is rendered from ``markdown`` when it is first shown."""

    slug: str
    title: str
    category: str
    category_slug: str
    tags: tuple[str, ...]
    locale: str
    summary: str
    markdown: str  # the body, after the front matter
    text: str
    headings: tuple[Heading, ...]
    faq: tuple[FaqItem, ...]
    source_path: str  # relative to the KB dir, "/"-separated
    updated_at: datetime
    draft: bool
    repeats_title: bool  # the body opens with a ``# Title`` heading the page leaves out

    @cached_property
    def page(self) -> Page:
        """Rendered once, on first use: a build only indexes, and an edited file is loaded
        from the index as a new ``Article``, so it renders again."""
        return render_page(self)

    @property
    def html(self) -> str:
        return self.page.html


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class ArticleError(ParleyError):
    """One file could not become an article; the rest of the knowledge base is unaffected."""

    code = "article_error"

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line

    def problem(self) -> Problem:
        return Problem(self.path, self.line, self.message)


def discover(kb_dir: Path) -> list[Path]:
    """Every ``*.md`` under ``kb_dir`` (hidden folders skipped, symlinked folders not followed)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(kb_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in sorted(files) if _is_source(f))
    return found


def relative_path(path: Path, kb_dir: Path) -> str:
    """The "/"-separated path of ``path`` inside the KB dir (the article's ``source_path``)."""
    try:
        return path.resolve().relative_to(kb_dir.resolve()).as_posix()
    except ValueError:
        raise ArticleError(str(path), None, "not inside the knowledge-base folder") from None


def load_article(path: Path, kb_dir: Path) -> Article:
    """Read, parse and render one file; raises ``ArticleError`` with the line at fault."""
    rel = relative_path(path, kb_dir)
    try:
        stat = path.stat()
        if stat.st_size > MAX_ARTICLE_BYTES:
            raise ArticleError(rel, None, f"larger than {MAX_ARTICLE_BYTES // 1024 // 1024} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(rel, None, f"cannot read: {exc.strerror or exc}") from None
    return parse_article(raw, rel, datetime.fromtimestamp(stat.st_mtime, UTC))


def parse_article(raw: bytes, source_path: str, updated_at: datetime) -> Article:
    """Turn a file's bytes into an ``Article``; ``source_path`` is relative to the KB dir."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ArticleError(source_path, line, "not UTF-8 text; save the file as UTF-8") from None
    try:
        fm = frontmatter.parse(text)
    except frontmatter.FrontMatterError as exc:
        raise ArticleError(source_path, exc.line, exc.message) from None
    fields = _Fields(fm, source_path)
    slug = fields.slug()
    try:
        extracted = extract(fm.body)
        faq = tuple(_faq_items(fields, slug))
    except ArticleError:
        raise
    except Exception as exc:  # a reader bug must cost one article, not the knowledge base
        raise ArticleError(source_path, None, f"cannot read the Markdown: {exc}") from exc
    title = (
        fields.text("title") or _first_h1(extracted) or _humanize(PurePosixPath(source_path).stem)
    )
    repeats_title = _opens_with_title(extracted, title)
    headings = tuple(Heading(*heading) for heading in extracted.headings[repeats_title:])
    locale = fields.locale()
    category = fields.text("category") or _folder_category(source_path, locale)
    return Article(
        slug=slug,
        title=title,
        category=category,
        category_slug=slugify(category),
        tags=fields.tags(),
        locale=locale,
        summary=_clip(
            fields.text("summary") or fields.text("description") or extracted.first_paragraph
        ),
        markdown=fm.body,
        text=extracted.text,
        headings=headings,
        faq=faq,
        source_path=source_path,
        updated_at=updated_at,
        draft=fields.flag("draft"),
        repeats_title=repeats_title,
    )


def render_page(article: Article) -> Page:
    """The article's HTML (the FAQ after the body), without the heading that repeats its title.
    A renderer bug costs this article its formatting, never the page."""
    try:
        rendered = render(article.markdown, article.source_path)
    except Exception:
        logger.exception("cannot render %s; showing its text", article.source_path)
        paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in article.text.split("\n"))
        return Page(paragraphs + _faq_html(article.faq), article.headings)
    body_html, headings = _without_title_heading(rendered, article.repeats_title)
    return Page(body_html + _faq_html(article.faq), headings)


def load_all(kb_dir: Path) -> tuple[list[Article], list[Problem]]:
    """Every article under ``kb_dir`` (drafts included, marked), and what could not be loaded."""
    return collect(load_or_problem(path, kb_dir) for path in discover(kb_dir))


def collect(results: Iterable[Article | Problem]) -> tuple[list[Article], list[Problem]]:
    """Keep the first article of each slug (by path order); later claimants become problems."""
    articles: list[Article] = []
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for result in results:
        if isinstance(result, Problem):
            problems.append(result)
        elif result.slug in owners:
            problems.append(duplicate_slug(result.source_path, result.slug, owners[result.slug]))
        else:
            owners[result.slug] = result.source_path
            articles.append(result)
    return articles, problems


def duplicate_slug(path: str, slug: str, owner: str) -> Problem:
    return Problem(path, None, f"slug {slug!r} is already used by {owner}")


def slugify(text: str) -> str:
    """URL-safe ASCII slug of a display name ("Billing & Plans" → "billing-plans")."""
    return _NOT_SLUG.sub("-", fold(text)).strip("-") or "general"


def load_or_problem(path: Path, kb_dir: Path) -> Article | Problem:
    try:
        return load_article(path, kb_dir)
    except ArticleError as exc:
        return exc.problem()


def _is_source(name: str) -> bool:
    return name.endswith(".md") and not name.startswith(".")


class _Fields:
    """Typed access to front-matter values, failing with the line of the offending key."""

    def __init__(self, fm: frontmatter.FrontMatter, source_path: str) -> None:
        self.fm = fm
        self.path = source_path

    def fail(self, key: str, message: str) -> ArticleError:
        return ArticleError(self.path, self.fm.line_of(key), f"{key}: {message}")

    def text(self, key: str) -> str:
        value = self.fm.meta.get(key)
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return " ".join(str(value).split())
        raise self.fail(key, "expected text")

    def flag(self, key: str) -> bool:
        value = self.fm.meta.get(key, False)
        if isinstance(value, bool):
            return value
        raise self.fail(key, "expected true or false")

    def slug(self) -> str:
        given = self.text("slug").strip("/")
        if not given:
            return self.path.removesuffix(".md")
        if ".." in given.split("/") or any(ch in given for ch in "#?\\"):
            raise self.fail("slug", f"{given!r} cannot be part of a URL path")
        return given

    def locale(self) -> str:
        value = self.text("locale").lower().replace("_", "-") or DEFAULT_LOCALE
        if not _LOCALE.match(value):
            raise self.fail("locale", f"{value!r} is not a language code such as en or pt-br")
        return value

    def tags(self) -> tuple[str, ...]:
        value = self.fm.meta.get("tags")
        if value is None:
            return ()
        items: list[object]
        if isinstance(value, str):
            items = list(value.split(","))
        elif isinstance(value, list):
            items = value
        else:
            raise self.fail("tags", "expected a list")
        if not all(isinstance(item, (str, int, float)) for item in items):
            raise self.fail("tags", "each tag must be text")
        tags = (" ".join(str(item).split()) for item in items)
        return tuple(dict.fromkeys(tag for tag in tags if tag))

    def faq(self) -> list[tuple[str, str]]:
        value = self.fm.meta.get("faq")
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail("faq", "expected a list of {q, a} entries")
        pairs = []
        for number, entry in enumerate(value, 1):
            if not isinstance(entry, dict):
                raise self.fail("faq", f"entry {number} must have q and a")
            question = entry.get("q", entry.get("question"))
            answer = entry.get("a", entry.get("answer"))
            if not isinstance(question, str) or not isinstance(answer, (str, int, float)):
                raise self.fail("faq", f"entry {number} must have q and a")
            if not question.strip() or not str(answer).strip():
                raise self.fail("faq", f"entry {number} has an empty q or a")
            pairs.append((" ".join(question.split()), str(answer)))
        return pairs


def _faq_items(fields: _Fields, slug: str) -> Iterable[FaqItem]:
    for number, (question, answer) in enumerate(fields.faq(), 1):
        answer_html = render_fragment(answer, fields.path)
        yield FaqItem(f"{slug}#faq-{number}", question, answer_html, text_of(answer_html))


def _faq_html(faq: tuple[FaqItem, ...]) -> str:
    """The FAQ as part of the article page, so an FAQ hit's ``#faq-N`` link has a target."""
    if not faq:
        return ""
    items = "".join(
        f'<div class="faq-item" id="{item.id.partition("#")[2]}">'
        f"<h3>{html.escape(item.question)}</h3>\n{item.answer_html}</div>\n"
        for item in faq
    )
    return f'\n<section class="faq">\n{items}</section>'


def _first_h1(extracted: Extracted) -> str:
    return next((text for level, _, text in extracted.headings if level == 1 and text), "")


def _opens_with_title(extracted: Extracted, title: str) -> bool:
    """Whether the body opens with a level-1 heading that repeats the title."""
    if not extracted.headings:
        return False
    level, _, text = extracted.headings[0]
    return level == 1 and text == title and extracted.text.startswith(text)


def _without_title_heading(
    rendered: Rendered, repeats_title: bool
) -> tuple[str, tuple[Heading, ...]]:
    """Drop a leading ``# Title`` that repeats the title: the help center shows the title itself."""
    headings = [Heading(level, anchor, text) for level, anchor, text in rendered.headings]
    leading = _LEADING_H1.match(rendered.html)
    if repeats_title and leading and headings and headings[0].level == 1:
        return rendered.html[leading.end() :], tuple(headings[1:])
    return rendered.html, tuple(headings)


def _folder_category(source_path: str, locale: str) -> str:
    """The top folder names the category (after a locale folder such as ``pl/``)."""
    folders = PurePosixPath(source_path).parts[:-1]
    if folders and folders[0].lower() == locale:
        folders = folders[1:]
    return _humanize(folders[0]) if folders else DEFAULT_CATEGORY


def _humanize(name: str) -> str:
    words = " ".join(name.replace("-", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else name


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[: SUMMARY_CHARS - 1]
    if " " in cut[SUMMARY_CHARS // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"
