"""Prefix and typo matching against the index's own vocabulary.

Both work on index terms (stems), so ``passw`` finds "password", ``configurat`` finds
"configuration" (stem ``configur``), and ``pasword`` / ``refnd`` are one edit away from a known
word. Expansions are cached per snapshot: the widget asks for ``p``, ``pa``, ``pas``… and many
visitors type the same words.
"""

from __future__ import annotations

import heapq
import string
from bisect import bisect_left
from dataclasses import dataclass
from typing import TypeVar

from parley.knowledge.analysis import DEFAULT_LANGUAGE, analyser, fold
from parley.knowledge.query import Word

EXACT = "exact"
PREFIX = "prefix"
TYPO = "typo"
WEIGHTS = {EXACT: 1.0, PREFIX: 0.8, TYPO: 0.7}
MAX_PREFIX_TERMS = 6
MAX_CORRECTIONS = 3
MAX_ACCENTED_TERMS = 2
MIN_TYPO_LENGTH = 4
MIN_PREFIX_LENGTH = 2
# A known word this rare, one edit away from a word this many times more common, is also
# treated as a likely typo ("neccessary" appears in the corpus; "necessary" much more).
RARE_DOC_FREQUENCY = 2
COMMON_RATIO = 50
CACHE_SIZE = 5_000
T = TypeVar("T")


@dataclass(frozen=True)
class Alternative:
    term: str
    kind: str  # EXACT (the word as typed), PREFIX (a completion) or TYPO (a correction)
    spelling: str  # how the word is written in a "did you mean"

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


class Expander:
    """Finds the index terms a typed word may stand for."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self.sorted_terms = sorted(vocabulary)
        self._starts = {t[:3] for t in vocabulary}
        self._prefixes: dict[str, tuple[str, ...]] = {}
        self._corrections: dict[str, tuple[tuple[str, str], ...]] = {}
        self._accented: dict[str, tuple[str, ...]] = {}

    def alternatives(self, word: Word, partial: bool, language: str) -> list[Alternative]:
        """The word itself when indexed, its completions when it is being typed, and its
        likely corrections when it is unknown (or suspiciously rare), analysed as
        ``language``."""
        found: list[Alternative] = []
        frequency = self.vocabulary.get(word.term, 0)
        if frequency:
            found.append(Alternative(word.term, EXACT, word.spelling))
        else:  # typed without its accents? Their readings count as the word as typed
            found.extend(
                Alternative(t, EXACT, word.spelling) for t in self.accented(word, language)
            )
        if language != DEFAULT_LANGUAGE:  # English articles take part too: read it as English
            english = analyser(DEFAULT_LANGUAGE).term(word.text)
            if english in self.vocabulary and all(a.term != english for a in found):
                found.append(Alternative(english, EXACT, word.spelling))
        frequency = max((self.vocabulary[a.term] for a in found), default=0)
        if partial and len(word.spelling) >= MIN_PREFIX_LENGTH:
            found.extend(
                Alternative(t, PREFIX, t) for t in self.completions(word.spelling) if t != word.term
            )
        completed = len(found) > (1 if frequency else 0)
        doubtful = frequency <= RARE_DOC_FREQUENCY  # unknown, or rare enough to be a typo
        if doubtful and not completed and len(word.spelling) >= MIN_TYPO_LENGTH:
            corrections = self.corrections(word, language)
            if corrections and (not frequency or self._suspicious(frequency, corrections[0][1])):
                found.extend(Alternative(t, TYPO, s) for s, t in corrections)
        return found

    def accented(self, word: Word, language: str) -> tuple[str, ...]:
        """The indexed terms ``word`` stands for with its lost accents put back, the most
        frequent first (at most two: "zrodla" may be "źródła" or a rarer reading)."""
        key = f"{language}:{word.text.lower()}"
        cached = self._accented.get(key)
        if cached is not None:
            return cached
        known = {t for t in analyser(language).accented(word.text) if t in self.vocabulary}
        result = tuple(heapq.nlargest(MAX_ACCENTED_TERMS, known, key=self.vocabulary.__getitem__))
        _remember(self._accented, key, result)
        return result

    def _suspicious(self, frequency: int, correction: str) -> bool:
        """A known but very rare word next to a far more common one is probably a typo."""
        return self.vocabulary[correction] >= COMMON_RATIO * frequency

    def completions(self, prefix: str) -> tuple[str, ...]:
        """The most frequent terms starting with ``prefix``, or the stem it already contains."""
        cached = self._prefixes.get(prefix)
        if cached is not None:
            return cached
        terms = self.sorted_terms
        matches = terms[bisect_left(terms, prefix) : bisect_left(terms, prefix + "\uffff")]
        if not matches:  # "configurat" is past the stem "configur": use the longest stem inside
            shortest = max(MIN_TYPO_LENGTH, len(prefix) - 4)
            inside = (prefix[:n] for n in range(len(prefix) - 1, shortest - 1, -1))
            matches = [t for t in inside if t in self.vocabulary][:1]
        result = tuple(heapq.nlargest(MAX_PREFIX_TERMS, matches, key=self.vocabulary.__getitem__))
        _remember(self._prefixes, prefix, result)
        return result

    def corrections(self, word: Word, language: str) -> tuple[tuple[str, str], ...]:
        """(spelling, term) of indexed words one edit (Damerau) away, most frequent first.

        A lemmatizer reads words with their accents, so in such a language the edits are
        made to the word as typed, accents kept, and may add the language's accented letters
        ("hasłm" → "hasło"); a stemmer works on the folded spelling."""
        analysis = analyser(language)
        typed = word.text.lower().replace("’", "'") if analysis.accents else word.spelling
        key = f"{language}:{typed}"
        cached = self._corrections.get(key)
        if cached is not None:
            return cached
        best: dict[str, str] = {}
        extra = "".join(analysis.accents.values())
        for candidate in _edits(typed, extra):
            if fold(candidate[:3]) not in self._starts:
                continue  # no indexed term begins like this: skip analysing it
            t = analysis.analyse(candidate)
            if not t or t == word.term or t not in self.vocabulary:
                continue
            if t not in best or _plainer(candidate, best[t]):
                best[t] = candidate
        ranked = sorted(best.items(), key=lambda item: -self.vocabulary[item[0]])
        result = tuple((s, t) for t, s in ranked[:MAX_CORRECTIONS])
        _remember(self._corrections, key, result)
        return result


def _plainer(spelling: str, other: str) -> bool:
    """Of two spellings of one correction, show the shorter, then the one with fewer accents
    (the nearer to what was typed), then the first alphabetically, so the choice is stable."""

    def rank(s: str) -> tuple[int, int, str]:
        return len(s), sum(not ch.isascii() for ch in s), s

    return rank(spelling) < rank(other)


def _edits(word: str, extra_letters: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away (of the
    Latin alphabet, the word's own letters and ``extra_letters``)."""
    letters = set(string.ascii_lowercase) | set(word) | set(extra_letters)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    edits.update(a + c + b[1:] for a, b in splits if b for c in letters)
    edits.update(a + c + b for a, b in splits for c in letters)
    edits.discard(word)
    return edits


def _remember(cache: dict[str, T], key: str, value: T) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value
