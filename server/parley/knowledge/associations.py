"""Which words go together in this knowledge base: a soft match for words a title does not use.

Visitors paraphrase ("get rid of my FB account" for "delete my Facebook account"). Two words
that keep turning up in the same articles (answers that say "remove" also say "delete") are
related here, whatever a dictionary says: their normalised pointwise mutual information over
article bodies,

    npmi(a, b) = log(p(a, b) / (p(a) p(b))) / -log p(a, b),  clipped to [0, 1],

is 1 for words that only ever appear together and 0 for independent ones. Search uses it to
give a title partial credit for query words it does not contain but is strongly tied to
(measured on the StackFAQ questions: MRR@10 +0.02). Everything comes from postings already in
memory. Document sets are bitsets (Python ints), so a pair costs one AND and a popcount;
pairs are cached per snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from parley.knowledge.snapshot import Snapshot

MIN_TOGETHER = 2  # one shared article is chance, not association
CACHE_SIZE = 200_000


class Associations:
    """Normalised PMI of term pairs over one snapshot's article bodies (thread-safe caches)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._sets: dict[str, tuple[int, int]] = {}
        self._pairs: dict[tuple[str, str], float] = {}

    def strongest(self, term: str, others: Iterable[str]) -> float:
        """The strongest tie of ``term`` to any of ``others`` (0 for none).

        Search asks this for every query word a candidate's title lacks, thousands of times a
        question, so the loop is here, with the cache at hand, not a call per pair.
        """
        pairs = self._pairs
        best = 0.0
        mine: tuple[int, int] | None = None
        for other in others:
            if other == term:
                continue
            key = (term, other) if term < other else (other, term)
            found = pairs.get(key)
            if found is None:
                mine = mine or self.documents(term)
                found = self._npmi(mine, self.documents(other))
                if len(pairs) >= CACHE_SIZE:
                    pairs.clear()
                pairs[key] = found
            if found > best:
                best = found
        return best

    def documents(self, term: str) -> tuple[int, int]:
        """(bitset of the global numbers of documents whose body has ``term``, their count)."""
        found = self._sets.get(term)
        if found is None:
            bits = bytearray((self.snapshot.size + 7) // 8)
            for segment, offset in self.snapshot.segments:
                postings = segment.postings["body"].get(term)
                for local in postings[0] if postings is not None else ():
                    docnum = offset + local
                    bits[docnum >> 3] |= 1 << (docnum & 7)
            number = int.from_bytes(bits, "little")
            found = (number, number.bit_count())
            if len(self._sets) >= CACHE_SIZE:
                self._sets.clear()
            self._sets[term] = found
        return found

    def _npmi(self, a: tuple[int, int], b: tuple[int, int]) -> float:
        together = (a[0] & b[0]).bit_count()
        if together < MIN_TOGETHER:
            return 0.0
        total = self.snapshot.doc_count
        joint = together / total
        if joint >= 1.0:
            return 0.0
        pmi = math.log(together * total / (a[1] * b[1]))
        return max(0.0, min(1.0, pmi / -math.log(joint)))
