"""What a visitor typed → the words to look for. Never Whoosh query syntax.

Search boxes receive everything: half-typed words, pasted paragraphs, ``title:(``, ``*``,
``AND OR NOT``, stray quotes. The text is only ever split into words (operators and field
names are just words, punctuation is dropped), capped in length, and quoted runs of words
become phrases. Nothing here can raise on any string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley.knowledge.analysis import DEFAULT_LANGUAGE, WORD_RE, analyser, language_of, spelling

MAX_QUERY_CHARS = 300
MAX_WORDS = 16
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Word:
    text: str  # as typed
    term: str  # the index term
    start: int  # where it sits in the query text, to rewrite it for "did you mean"
    end: int

    @property
    def spelling(self) -> str:
        return spelling(self.text)


@dataclass(frozen=True)
class Query:
    text: str
    language: str  # whose analysis made the words' terms (``pl``, ``sl``, ``en``…)
    words: tuple[Word, ...]  # distinct content words in order (stop words dropped)
    phrases: tuple[tuple[str, ...], ...]  # quoted runs of two or more words, as typed
    partial: bool  # the last word may still be being typed: match it as a prefix too


def parse(text: str, locale: str = DEFAULT_LANGUAGE) -> Query:
    """Split ``text`` into content words and quoted phrases, analysed as ``locale``'s language
    (the visitor's); stop words are dropped."""
    text = " ".join(text[:MAX_QUERY_CHARS].split())
    language = language_of(locale)
    term = analyser(language).term
    words: list[Word] = []
    seen: set[str] = set()
    for match in WORD_RE.finditer(text):
        t = term(match.group())
        if t is not None and t not in seen and len(words) < MAX_WORDS:
            seen.add(t)
            words.append(Word(match.group(), t, match.start(), match.end()))
    phrases = tuple(
        tuple(found)
        for found in (WORD_RE.findall(quoted) for quoted in _QUOTED.findall(text))
        if len(found) > 1
    )
    last = words[-1] if words else None
    partial = last is not None and last.end == len(text)
    return Query(text, language, tuple(words), phrases, partial)
