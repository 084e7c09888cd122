"""What a text is about, as one vector: so "Removing my FB account." lands near "How do I
delete my Facebook account?" although the two share a single word.

Parley ships the token vectors of WordLlama (``l2_supercat``, 256 dimensions, MIT licence:
``data/NOTICE``), static embeddings trained so that the *mean* of a text's token vectors puts
texts of similar meaning close together. A text's vector here is exactly that mean, over its
lowercased words, each split into tokens by the same byte-pair encoding as Llama 2's tokenizer
(``_Tokenizer``, a pure-Python re-implementation checked against the original in the tests).
``server/tools/export_word_vectors.py`` says how the data file was made.

Cost: 6 MB on disk, ~7 MB in memory (int8 vectors with one scale per token), a few
microseconds per already-seen word; no model runs, nothing is downloaded.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import cache
from itertools import pairwise, repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATA = Path(__file__).resolve().parent / "data" / "word_vectors.npz"
DIMENSIONS = 256
WORD = re.compile(r"[\w']+")
WORD_SPACE = "▁"  # the tokenizer's mark for "a word starts here"
LONGEST_WORD = 40  # longer "words" (hashes, base64) say nothing and BPE is quadratic
MOST_WORDS = 20_000  # a document's first this many words decide its vector
CACHE_SIZE = 200_000
NOT_MERGED = 1 << 62  # the rank of a pair the merge list does not have: above every real one

Vector = npt.NDArray[np.float32]


class _Tokenizer:
    """Byte-pair encoding of one lowercased word: start from its characters, repeatedly merge
    the adjacent pair that comes first in the merge list; characters outside the vocabulary
    become their UTF-8 bytes (``<0xE2>``), as Llama 2's tokenizer does."""

    def __init__(self, tokens: list[str], merges: list[str]) -> None:
        self.ids = {token: number for number, token in enumerate(tokens)}
        self.ranks: dict[tuple[str, str], int] = {}
        for rank, merge in enumerate(merges):
            left, _, right = merge.partition(" ")
            self.ranks[(left, right)] = rank

    def encode(self, word: str) -> list[int]:
        symbols = list(WORD_SPACE + word)
        rank = self.ranks.get
        while len(symbols) > 1:
            # Each pair's rank (NOT_MERGED when it is no merge), looked up without a Python
            # loop: every distinct word of a build is encoded once per worker.
            pairs = list(map(rank, pairwise(symbols), repeat(NOT_MERGED)))
            best = min(pairs)
            if best == NOT_MERGED:
                break
            at = pairs.index(best)
            symbols[at : at + 2] = [symbols[at] + symbols[at + 1]]
        found: list[int] = []
        for symbol in symbols:
            number = self.ids.get(symbol)
            if number is not None:
                found.append(number)
            else:
                found.extend(self.ids.get(f"<0x{byte:02X}>", 0) for byte in symbol.encode())
        return found


class WordVectors:
    """Token vectors and the tokenizer that reaches them; safe to share between threads."""

    def __init__(self, path: Path = DATA) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.vectors = data["vectors"]  # int8, one row of DIMENSIONS per token
            self.scales = data["scales"]  # float32 per token
            tokens = json.loads(data["tokens"].tobytes())
            merges = json.loads(data["merges"].tobytes())
        self.tokenizer = _Tokenizer(tokens, merges)
        self._words: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    def tokens(self, word: str) -> tuple[int, ...]:
        """The token numbers of one lowercased word (cached: texts repeat their words)."""
        found = self._words.get(word)
        if found is None:
            found = tuple(self.tokenizer.encode(word[:LONGEST_WORD]))
            with self._lock:
                if len(self._words) >= CACHE_SIZE:
                    self._words.clear()
                self._words[word] = found
        return found

    def embed(self, text: str) -> Vector:
        """The unit-length mean of the text's token vectors (zeros for a text without words)."""
        return self.embed_words(WORD.findall(text.lower())[:MOST_WORDS])

    def embed_words(self, words: Iterable[str]) -> Vector:
        counts: Counter[int] = Counter()
        for word, times in Counter(words).items():
            for token in self.tokens(word):
                counts[token] += times
        if not counts:
            return np.zeros(DIMENSIONS, dtype=np.float32)
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        weights *= self.scales[ids]
        total = weights @ self.vectors[ids].astype(np.float32)
        norm = float(np.linalg.norm(total))
        unit: Vector = (total / norm if norm else total).astype(np.float32)
        return unit


@cache
def word_vectors() -> WordVectors:
    """The process's one copy, loaded on first use (~0.3 s)."""
    return WordVectors()
