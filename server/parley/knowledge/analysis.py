"""Text → index terms: the one analysis every document, query and snippet goes through.

Whoosh's analyzer chains are generators of Token objects: flexible, but the slowest part of
indexing. Parley analyses text itself (a regular expression and one cached word → term
function) and hands Whoosh ready-made term lists, so documents and queries can never be
analysed differently.

The analysis is chosen by locale. English (and every language without its own entry) is
Snowball-stemmed. Polish and Slovenian inflect a word into a dozen forms the English stemmer
leaves apart ("hasło", "hasła", "hasłem", "haseł"), so their words are reduced to their
dictionary form: Polish by Morfeusz 2, Slovenian by LemmaGen (chosen by measurement and
licence: docs/knowledge.md).
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

import Stemmer

# Letters and digits, with inner apostrophes kept ("don't", "user's"); "_" separates words.
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
DEFAULT_LANGUAGE = "en"
# A word typed without its accents ("hasla" for "hasła") is tried with them put back, in at
# most this many spellings (a lemmatizer cannot read the word without them).
MAX_ACCENTED_SPELLINGS = 64

# NLTK's English list, less the particles that carry meaning in support questions ("sign out",
# "turn off", "back up", "not working"), plus contractions as they are left without apostrophe.
ENGLISH_STOP_WORDS = frozenset(
    [
        *("a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any"),
        *("are", "as", "at", "be", "because", "been", "before", "being", "below", "between"),
        *("both", "but", "by", "can", "did", "do", "does", "doing", "during", "each", "few"),
        *("for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers"),
        *("herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its"),
        *("itself", "just", "me", "more", "most", "my", "myself", "nor", "now", "of", "on"),
        *("once", "only", "or", "other", "our", "ours", "ourselves", "own", "s", "same", "she"),
        *("should", "so", "some", "such", "t", "than", "that", "the", "their", "theirs", "them"),
        *("themselves", "then", "there", "these", "they", "this", "those", "through", "to"),
        *("too", "under", "until", "very", "was", "we", "were", "what", "when", "where", "which"),
        *("while", "who", "whom", "why", "will", "with", "you", "your", "yours", "yourself"),
        *("yourselves", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "im", "ive", "id"),
        *("youre", "theyre", "whats", "thats", "theres"),
    ]
)

# Function words (accent-folded dictionary forms: a word is dropped when its form as typed or
# its lemma is here). Negation stays, as "not" does in English: "nie działa", "ne deluje".
POLISH_STOP_WORDS = frozenset(
    [
        *("a", "aby", "albo", "ale", "ani", "az", "bo", "by", "byc", "chciec", "co", "czy"),
        *("dla", "do", "gdy", "gdzie", "go", "i", "ich", "ile", "ja", "jak", "jaki", "jakis"),
        *("jego", "jej", "jesli", "juz", "ktory", "lub", "mi", "miec", "moc", "moj", "mu", "my"),
        *("na", "nad", "nas", "o", "od", "on", "ona", "one", "ono", "oni", "oraz", "po", "pod"),
        *("przez", "przy", "sie", "siebie", "sobie", "swoj", "tak", "tam", "ten", "to", "ty"),
        *("twoj", "u", "w", "was", "we", "wy", "z", "za", "ze", "zeby"),
    ]
)
SLOVENIAN_STOP_WORDS = frozenset(
    [
        *("a", "ali", "ampak", "biti", "bo", "ce", "da", "do", "ga", "h", "hoteti", "i", "iz"),
        *("jaz", "je", "ji", "jih", "jim", "k", "kaj", "kako", "kaksen", "kateri", "kdaj", "kje"),
        *("ki", "ko", "koliko", "kot", "lahko", "med", "mi", "moj", "mu", "na", "nad", "o"),
        *("od", "on", "ona", "oni", "ono", "pa", "po", "pod", "pri", "s", "se", "sebe", "sem"),
        *("si", "smo", "so", "ste", "svoj", "ta", "tisti", "ter", "ti", "to", "tudi", "v", "vas"),
        *("vi", "z", "za", "zakaj"),
    ]
)

# The language's accented letters for each plain one, to read words typed without them.
POLISH_ACCENTS = {"a": "ą", "c": "ć", "e": "ę", "l": "ł", "n": "ń", "o": "ó", "s": "ś", "z": "źż"}
SLOVENIAN_ACCENTS = {"c": "č", "s": "š", "z": "ž"}


def fold(word: str) -> str:
    """Lower-case and strip accents, so "Hasło" and "haslo" are the same word."""
    lowered = word.lower().replace("’", "'")
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l")


def language_of(locale: str) -> str:
    """The language part of a locale: ``pl-PL`` → ``pl``; empty → English."""
    return locale.strip().lower().replace("_", "-").split("-")[0] or DEFAULT_LANGUAGE


class Analyser:
    """One language's word → term function (cached) and text → terms."""

    def __init__(
        self,
        stop_words: frozenset[str],
        reduce: Callable[[str], str],
        *,
        lemmas: bool,
        accents: dict[str, str] | None = None,
    ) -> None:
        self.stop_words = stop_words
        self.accents = accents or {}  # plain letter → the language's accented letters for it
        self._reduce = reduce  # a lower-cased word (accents kept) → its common form
        # Does ``reduce`` give dictionary forms (lemmas) rather than stems? A lemma is a word
        # ("jestem" → "być"), so it is checked against the stop words too (a stem is not:
        # "others" → "other" must stay), and it may differ from its forms in more letters.
        self._lemmas = lemmas
        # Documents repeat their words: caching makes reduction a dictionary lookup. (Typo
        # candidates, which are mostly nonsense, call ``analyse`` so they do not flush this.)
        self.term = lru_cache(maxsize=200_000)(self.analyse)

    def analyse(self, word: str) -> str | None:
        """The index term of one word as written (reduced, folded), or None for a stop word."""
        lowered = word.lower().replace("’", "'").removesuffix("'s").replace("'", "")
        folded = fold(lowered)
        if not folded or folded in self.stop_words:
            return None
        if not folded.isalpha():
            return folded
        reduced = fold(self._reduce(lowered))
        return None if self._lemmas and reduced in self.stop_words else reduced

    def accented(self, word: str) -> Iterator[str]:
        """The terms of ``word`` written with accents it may have lost ("hasla" → the term
        of "hasła", "hąsla", …), for a visitor typing without them; nothing if the language
        has no accents, the word has some already, or there would be too many spellings."""
        lowered = word.lower()
        if not self.accents or not lowered.isascii() or not lowered.isalpha():
            return
        choices = [ch + self.accents.get(ch, "") for ch in lowered]
        if math.prod(len(c) for c in choices) > MAX_ACCENTED_SPELLINGS:
            return
        for letters in itertools.product(*choices):
            found = self.analyse("".join(letters))
            if found is not None:
                yield found

    def prefix(self, term: str) -> str:
        """Letters every written form of ``term`` (nearly always) begins with, to find
        candidate words in text quickly: a stem drops a letter or so ("configur" ←
        "configuring"), a lemma more ("konto" ← "koncie", "geslo" ← "gesel")."""
        cut = 3 if self._lemmas else 1
        return term[: max(3, len(term) - cut)]

    def terms(self, text: str) -> list[str]:
        """Every index term of ``text`` in order (stop words dropped), ready for Whoosh."""
        term = self.term
        out = []
        for word in WORD_RE.findall(text):
            found = term(word)
            if found is not None:
                out.append(found)
        return out


def _english() -> Analyser:
    """Snowball's English stemmer, in C (PyStemmer): a stemmer object is not thread-safe, so
    each thread has its own; Analyser caches the words, so the stemmer's own cache is off."""
    local = threading.local()

    def stem(word: str) -> str:
        stemmer = getattr(local, "stemmer", None)
        if stemmer is None:
            stemmer = local.stemmer = Stemmer.Stemmer("english", 0)
        return str(stemmer.stemWord(fold(word)))

    return Analyser(ENGLISH_STOP_WORDS, stem, lemmas=False)


def _polish() -> Analyser:
    """Morfeusz 2 with the SGJP dictionary (BSD): every form of every Polish word it lists.
    A form with several readings gets the shortest lemma ("ustawień": "ustawić", not
    "ustawienie"), so all forms of a word land on one term; unknown words stay as written."""
    import morfeusz2  # loaded only where Polish articles or visitors exist

    morfeusz = morfeusz2.Morfeusz(generate=False, expand_tags=False)
    lock = threading.Lock()  # one Morfeusz object, searches from many threads

    def lemmatize(word: str) -> str:
        with lock:
            readings = morfeusz.analyse(word)
        # (start, end, (form, lemma, tag, …)) per segment; "zapłaciłem" is "zapłacił" + "em"
        # ("być"), so only segments starting the word count. "zamek:s1" names a homonym.
        lemmas = {reading[2][1].split(":")[0] for reading in readings if reading[0] == 0}
        return min(lemmas, key=lambda lemma: (len(lemma), lemma)) if lemmas else word

    return Analyser(POLISH_STOP_WORDS, lemmatize, lemmas=True, accents=POLISH_ACCENTS)


def _slovenian() -> Analyser:
    """LemmaGen's Slovenian rules (``lemmagen3``; model CC BY-SA 4.0), learnt from the
    Multext-East lexicon, so they also reduce words no dictionary lists."""
    from lemmagen3 import Lemmatizer  # loaded only where Slovenian articles or visitors exist

    lemmatize = Lemmatizer("sl").lemmatize
    return Analyser(SLOVENIAN_STOP_WORDS, lemmatize, lemmas=True, accents=SLOVENIAN_ACCENTS)


# Languages with an analysis of their own; every other locale is analysed as English.
LANGUAGES: dict[str, Callable[[], Analyser]] = {"en": _english, "pl": _polish, "sl": _slovenian}


# One instance per language in LANGUAGES, made on first use (bounded: a visitor's locale
# outside LANGUAGES is English, never a new entry).
ANALYSERS: dict[str, Analyser] = {}


def analyser(locale: str = DEFAULT_LANGUAGE) -> Analyser:
    """The analysis for texts written in ``locale``."""
    language = language_of(locale)
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    found = ANALYSERS.get(language)
    if found is None:
        found = ANALYSERS.setdefault(language, LANGUAGES[language]())
    return found


@lru_cache(maxsize=50_000)
def spelling(word: str) -> str:
    """A word folded but not reduced: how a correction is shown in "did you mean"."""
    return fold(word).replace("'", "")
