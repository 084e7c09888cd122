"""Text → index terms: the one analysis every document, query and snippet goes through.

Whoosh's analyzer chains are generators of Token objects: flexible, but the slowest part of
indexing. Parley analyses text itself (a regular expression and one cached word → term
function) and hands Whoosh ready-made term lists, so documents and queries can never be
analysed differently.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.lang.snowball.english import EnglishStemmer

# Letters and digits, with inner apostrophes kept ("don't", "user's"); "_" separates words.
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# NLTK's English list, less the particles that carry meaning in support questions ("sign out",
# "turn off", "back up", "not working"), plus contractions as they are left without apostrophe.
STOP_WORDS = frozenset(
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

_stem = EnglishStemmer().stem


def fold(word: str) -> str:
    """Lower-case and strip accents, so "Hasło" and "haslo" are the same word."""
    lowered = word.lower().replace("’", "'")
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l")


def analyse(word: str) -> str | None:
    """The index term of one word as written (folded, stemmed), or None for a stop word."""
    folded = fold(word).removesuffix("'s").replace("'", "")
    if not folded or folded in STOP_WORDS:
        return None
    return _stem(folded) if folded.isalpha() else folded


# Documents repeat their words: caching makes stemming a dictionary lookup. (Typo candidates,
# which are mostly nonsense, call ``analyse`` directly so they do not flush this cache.)
term = lru_cache(maxsize=200_000)(analyse)


@lru_cache(maxsize=50_000)
def spelling(word: str) -> str:
    """A word folded but not stemmed: how a correction is shown in "did you mean"."""
    return fold(word).replace("'", "")


def terms(text: str) -> list[str]:
    """Every index term of ``text`` in order (stop words dropped), ready for Whoosh."""
    out = []
    for word in WORD_RE.findall(text):
        found = term(word)
        if found is not None:
            out.append(found)
    return out
