"""Highlighted snippets: the part of a document that best shows why it matched.

The output is HTML built here and nowhere else: every piece of document text is escaped, and
the only markup added is ``<mark>…</mark>`` around matched words. So a document that *talks
about* ``<b>`` tags shows ``&lt;b&gt;``, and ``snippet_html`` is safe to insert as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from html import escape

from parley.knowledge.analysis import Analyser, analyser, fold

SNIPPET_CHARS = 180
LEAD_CHARS = 40  # context shown before the first highlighted word
SCAN_CHARS = 4_000  # where the best window is looked for (beyond: the first match only)


def snippet_html(
    text: str, terms: Collection[str], locale: str, max_chars: int = SNIPPET_CHARS
) -> str:
    """The window of ``text`` (written in ``locale``) holding the most distinct ``terms``,
    with each match marked."""
    text = _readable(text)
    matches = list(_matches(text, terms, analyser(locale)))
    start = _best_start(matches, max_chars)
    start = max(0, start - LEAD_CHARS) if matches else 0
    if start:
        space = text.find(" ", start, start + LEAD_CHARS)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start + max_chars // 2, end)
        end = space if space != -1 else end
    out = ["…" if start else ""]
    at = start
    for match_start, match_end, _ in matches:
        if match_start < start or match_end > end:
            continue
        out.append(escape(text[at:match_start], quote=False))
        out.append(f"<mark>{escape(text[match_start:match_end], quote=False)}</mark>")
        at = match_end
    out.append(escape(text[at:end], quote=False))
    out.append("…" if end < len(text) else "")
    return "".join(out).strip()


def _matches(text: str, terms: Collection[str], analysis: Analyser) -> list[tuple[int, int, str]]:
    """(start, end, term) of words of ``text`` whose index term is one of ``terms``.

    A regular expression of each term's leading letters finds candidates at C speed; only
    those are analysed, so long articles cost little."""
    # A one-letter term ("w", "z", "5") is too common to show anything by being marked.
    stems = {analysis.prefix(t) for t in terms if len(t) > 1}
    if not stems:
        return []
    alternation = "|".join(sorted((re.escape(s) for s in stems), key=len, reverse=True))
    pattern = re.compile(rf"\b(?:{alternation})\w*")
    head, tail = text[:SCAN_CHARS], text[SCAN_CHARS:]
    found = _scan(pattern, head, terms, analysis, 0, first_only=False)
    if not found and tail:
        found = _scan(pattern, tail, terms, analysis, SCAN_CHARS, first_only=True)
    return found


def _scan(
    pattern: re.Pattern[str],
    text: str,
    terms: Collection[str],
    analysis: Analyser,
    offset: int,
    *,
    first_only: bool,
) -> list[tuple[int, int, str]]:
    """Candidates are found in the folded text; each is analysed as written (a lemmatizer
    needs the accents: "hasła" is "hasło", "hasla" is nothing)."""
    found = []
    term = analysis.term
    for match in pattern.finditer(_searchable(text)):
        word_term = term(text[match.start() : match.end()])
        if word_term is not None and word_term in terms:
            found.append((offset + match.start(), offset + match.end(), word_term))
            if first_only:
                break
    return found


def _searchable(text: str) -> str:
    """Lower-cased, accent-folded ``text`` with the same length, so offsets stay valid."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two ("İ")
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    if lowered.isascii():
        return lowered
    table = {ord(ch): f for ch in set(lowered) if not ch.isascii() and len(f := fold(ch)) == 1}
    return lowered.translate(table)


def _best_start(matches: list[tuple[int, int, str]], max_chars: int) -> int:
    """Start of the window of ``max_chars`` that covers the most distinct terms (sliding)."""
    width = max_chars - LEAD_CHARS
    best_start, best_count = 0, 0
    counts: Counter[str] = Counter()
    j = 0
    for i, (start, _, term_i) in enumerate(matches):
        j = max(j, i)
        while j < len(matches) and matches[j][1] - start <= width:
            counts[matches[j][2]] += 1
            j += 1
        if len(counts) > best_count:
            best_start, best_count = start, len(counts)
        if i < j:
            counts[term_i] -= 1
            if not counts[term_i]:
                del counts[term_i]
    return best_start


def _readable(text: str) -> str:
    """The document's lines as running text: a heading or list item that ends without
    punctuation gets a full stop (so "Reset your password" does not run into "If you…"), and
    a table row reads "label: value, value" without cells that hold no word ("✓", "—"); rows
    without a label (a header) are left out."""
    sentences = []
    for line in text.split("\n"):
        if "\t" in line:
            label, *cells = (cell.strip() for cell in line.split("\t"))
            values = [cell for cell in cells if _WORDY.search(cell)]
            if not _WORDY.search(label):
                line = ""
            elif values:
                line = f"{label}: {', '.join(values)}"
            else:
                line = label
        line = line.strip()
        if line:
            sentences.append(line if line[-1] in _SENTENCE_END else line + ".")
    return " ".join(sentences)


_WORDY = re.compile(r"[^\W_]")
_SENTENCE_END = frozenset(".!?:;…")
