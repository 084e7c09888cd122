"""Search: a visitor's words → ranked articles and FAQ answers, with snippets, a did-you-mean
and a confidence the bot can act on.

1. ``query.parse`` turns the text into content words (and quoted phrases); each word becomes a
   *slot* whose alternatives are the word itself, its completions while it is being typed and
   its likely corrections (``expansion``).
2. Every document matching any alternative is scored with BM25F (``scoring``); within a slot a
   document counts its best alternative only, expansions at a discount.
3. The best candidates are re-ranked by how much of the query their title (or FAQ question)
   covers: a plain BM25 sum lets long bodies that mention every word win.
4. … and then by meaning (``meaning``): how close the query's vector is to their title's and
   to their whole text's, which catches paraphrases that share few words with the answer.
5. Quoted phrases filter the candidates; the locale decides which documents take part.
"""

from __future__ import annotations

import heapq
import math
import re
import time
from dataclasses import dataclass, replace

import numpy as np

from parley.errors import BadRequest
from parley.knowledge.analysis import DEFAULT_LANGUAGE, analyser, language_of
from parley.knowledge.articles import Article
from parley.knowledge.associations import Associations
from parley.knowledge.expansion import EXACT, PREFIX, TYPO, Alternative, Expander
from parley.knowledge.meaning import word_vectors
from parley.knowledge.query import Query, parse
from parley.knowledge.render import article_url
from parley.knowledge.schema import FAQ
from parley.knowledge.scoring import Scorer
from parley.knowledge.snapshot import Doc, Snapshot
from parley.knowledge.snippets import snippet_html

MAX_LIMIT = 50
RERANK_DEPTH = 40
TITLE_BOOST = 1.0  # extra weight for a title or FAQ question that says what the query asks
ASSOCIATION_BOOST = 2.0  # … or uses words strongly tied to the query words it lacks
# The final score: the word-match score times e^(1.5 · cos(query, title) + 2 · cos(query, whole
# document)) of the texts' vectors (docs/knowledge.md).
TITLE_MEANING = 1.5
TEXT_MEANING = 2.0
# A query this long whose every word a document contains is most likely text copied from it
# (a pasted error message): that document's exponent gets this much more, whatever it means.
PASTED_WORDS = 8
PASTED_BONUS = 1.0
GOOD_COVERAGE = 0.6  # a hit in the visitor's language this complete keeps English ones out
POOR_CONFIDENCE = 0.5  # below this, a correction is suggested even for a known rare word
# Confidence (fitted on the development questions, checked against off-topic ones): a hit
# covering half the query's weight counts as fully covering it (paraphrases add words), and a
# lead of 30% (of the blended score) over the next article is the midpoint of certainty.
FULL_COVERAGE = 0.5
# … and a title whose vector is this close to the query's is on topic (off-topic questions
# such as "what time is it in tokyo" reach 0.37 against their best hit, answered ones ~0.65).
OFF_TOPIC_CLOSENESS = 0.3
ON_TOPIC_CLOSENESS = 0.6
MARGIN_MIDPOINT = 0.3
MARGIN_STEEPNESS = 20.0
RELATED_TAG_BONUS = 0.3
RELATED_CATEGORY_BONUS = 0.3


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "article" or "faq"
    id: str
    slug: str
    title: str
    url: str
    snippet_html: str
    category: str
    score: float

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "slug": self.slug,
            "title": self.title,
            "url": self.url,
            "snippet_html": self.snippet_html,
            "category": self.category,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResponse:
    query: str
    took_ms: float
    suggestion: str | None
    results: list[SearchHit]
    confidence: float

    def as_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion,
            "results": [hit.as_json() for hit in self.results],
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class _Slot:
    """One query word: what it may stand for, and how much it weighs in the query."""

    alternatives: tuple[Alternative, ...]
    idf: float


@dataclass(frozen=True)
class _Candidate:
    docnum: int
    score: float
    coverage: float  # share of the query's weight the document matches
    title_coverage: float  # … in its title or FAQ question
    exactness: float  # share of the matched weight matched by the words as typed
    title_closeness: float = 0.0  # cosine of the query's and the title's vectors


class Searcher:
    """Searches one snapshot. Immutable apart from caches: share it between threads."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.scorer = Scorer(snapshot)
        self.expander = Expander(self.scorer.vocabulary)
        self.associations = Associations(snapshot)
        self._title_terms: dict[int, frozenset[str]] = {}
        self._languages = [language_of(doc.locale) if doc else "" for doc in snapshot.docs]
        self._all_languages = set(self._languages) - {""}

    def search(self, text: str, *, limit: int = 5, locale: str = "en") -> SearchResponse:
        started = time.perf_counter()
        if not text or not text.strip():
            raise BadRequest("the search query is empty")
        limit = max(1, min(limit, MAX_LIMIT))
        query = parse(text, locale)
        slots = self._slots(query)
        # No word known, only a guess at the half-typed last one: "xyzzy qwerty foo" is noise.
        noise = len(slots) > 1 and all(a.kind == PREFIX for s in slots for a in s.alternatives)
        depth = max(RERANK_DEPTH, 2 * limit)
        ranked = [] if noise else self._rank(query, slots, query.language, depth=depth)
        if (
            not noise
            and (not ranked or ranked[0].coverage < GOOD_COVERAGE)
            and not self._everyone_speaks(query.language)
        ):
            # Asked in another language than the page's: that language's articles answer.
            anywhere = self._rank(query, slots, "", depth=depth)
            if anywhere and (not ranked or anywhere[0].coverage > ranked[0].coverage):
                ranked = anywhere
        chosen = _prefer_locale(ranked, self.snapshot, locale, limit)
        hits = [self._hit(c, slots) for c in chosen]
        confidence = self._confidence(ranked)
        suggestion = self._suggestion(query, slots, confidence)
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(query.text, took, suggestion, hits, confidence)

    def related(self, article: Article, limit: int) -> list[Article]:
        """More like this: articles sharing the words of its title, tags and headings,
        nudged towards shared tags and the same category; same-category articles fill in."""
        words = " ".join([article.title, *article.tags, *(h.text for h in article.headings)])
        query = replace(parse(words, article.locale), partial=False)
        slots = self._slots(query)
        scored: dict[str, float] = {}
        for candidate in self._rank(query, slots, query.language, depth=RERANK_DEPTH):
            other = _doc(self.snapshot, candidate).article
            if other.slug == article.slug or other.slug in scored:
                continue
            shared = len(set(other.tags) & set(article.tags))
            same = other.category_slug == article.category_slug
            scored[other.slug] = candidate.score * (
                1.0 + RELATED_TAG_BONUS * shared + RELATED_CATEGORY_BONUS * same
            )
        ranked = [self.snapshot.articles[slug] for slug in sorted(scored, key=lambda s: -scored[s])]
        neighbours = sorted(
            (
                a
                for a in self.snapshot.articles.values()
                if a.category_slug == article.category_slug
            ),
            key=lambda a: a.title.lower(),
        )
        ranked += [a for a in neighbours if a.slug != article.slug and a.slug not in scored]
        return ranked[:limit]

    def _slots(self, query: Query) -> list[_Slot]:
        slots = []
        for word in query.words:
            alternatives = self.expander.alternatives(
                word, query.partial and word is query.words[-1], query.language
            )
            frequency = max(
                (self.scorer.vocabulary.get(a.term, 0) for a in alternatives), default=0
            )
            slots.append(_Slot(tuple(alternatives), self.scorer.idf(frequency)))
        return slots

    def _rank(
        self, query: Query, slots: list[_Slot], language: str, *, depth: int
    ) -> list[_Candidate]:
        """Score every document matching a slot, keep the best ``depth``, re-rank those."""
        scores: dict[int, float] = {}
        for slot in slots:
            _accumulate(scores, self._slot_weights(slot))
        docs = self.snapshot.docs
        languages = self._languages
        wanted = {language, DEFAULT_LANGUAGE}
        everyone = self._everyone_speaks(language)
        eligible = [
            (docnum, score)
            for docnum, score in scores.items()
            if docs[docnum] is not None and (everyone or languages[docnum] in wanted)
        ]
        top = heapq.nlargest(depth, eligible, key=_by_score)
        total = sum(slot.idf for slot in slots) or 1.0
        candidates = [self._candidate(docnum, score, slots, total) for docnum, score in top]
        if query.phrases:
            candidates = [c for c in candidates if _has_phrases(docs[c.docnum], query.phrases)]
        candidates = self._by_meaning(query, candidates)
        candidates.sort(key=lambda c: c.score, reverse=True)
        return candidates

    def _everyone_speaks(self, language: str) -> bool:
        """Whether every document is in ``language`` or the default one (or none is asked):
        ranking for that language is then ranking for all, and need not be done twice."""
        return not language or self._all_languages <= {language, DEFAULT_LANGUAGE}

    def _by_meaning(self, query: Query, candidates: list[_Candidate]) -> list[_Candidate]:
        """Word-match scores blended with closeness in meaning to the query."""
        vector = word_vectors().embed(query.text)
        if not candidates or not vector.any():
            return candidates
        rows = self.snapshot.meanings[[c.docnum for c in candidates]].astype(np.float32)
        similarity = (rows @ vector).tolist()  # per candidate: (title, whole text)
        long_query = len(query.words) >= PASTED_WORDS
        blended = []
        for candidate, (title, whole) in zip(candidates, similarity, strict=True):
            exponent = TITLE_MEANING * title + TEXT_MEANING * whole
            if long_query and candidate.coverage >= 1.0 - 1e-9:  # has every word: pasted text
                exponent += PASTED_BONUS
            score = candidate.score * math.exp(exponent)
            blended.append(replace(candidate, score=score, title_closeness=title))
        return blended

    def _slot_weights(self, slot: _Slot) -> list[tuple[int, float, dict[int, float]]]:
        """(offset, multiplier, weights) to add for a slot; alternatives count once per doc."""
        parts = [
            (offset, alternative.weight * slot.idf, weights)
            for alternative in slot.alternatives
            for offset, weights in self.scorer.weights(alternative.term)
        ]
        if len(slot.alternatives) <= 1:
            return parts
        best: dict[int, float] = {}
        for offset, multiplier, weights in parts:
            for local, value in weights.items():
                docnum = offset + local
                value *= multiplier
                if value > best.get(docnum, 0.0):
                    best[docnum] = value
        return [(0, 1.0, best)]

    def _candidate(self, docnum: int, score: float, slots: list[_Slot], total: float) -> _Candidate:
        title = self._titles(docnum)
        contains = self.scorer.contains
        matched = titled = exact = related = 0.0
        for slot in slots:
            hits = [a for a in slot.alternatives if contains(a.term, docnum)]
            if hits:
                matched += slot.idf
                exact += slot.idf if any(a.kind == EXACT for a in hits) else 0.0
            if any(a.term in title for a in hits):
                titled += slot.idf
            elif slot.alternatives:
                # How strongly a query word the title lacks is tied to one of the title's words.
                related += slot.idf * self.associations.strongest(slot.alternatives[0].term, title)
        title_coverage = titled / total
        final = score * (1.0 + TITLE_BOOST * title_coverage + ASSOCIATION_BOOST * related / total)
        return _Candidate(
            docnum, final, matched / total, title_coverage, exact / matched if matched else 0
        )

    def _titles(self, docnum: int) -> frozenset[str]:
        found = self._title_terms.get(docnum)
        if found is None:
            doc = self.snapshot.docs[docnum]
            found = frozenset(analyser(doc.locale).terms(doc.title)) if doc else frozenset()
            self._title_terms[docnum] = found
        return found

    def _hit(self, candidate: _Candidate, slots: list[_Slot]) -> SearchHit:
        doc = self.snapshot.docs[candidate.docnum]
        assert doc is not None
        wanted = {a.term for slot in slots for a in slot.alternatives}
        article = doc.article
        if doc.kind == FAQ:
            url = article_url(article.slug, doc.key.partition("#")[2])
        else:
            url = article_url(article.slug)
        text = doc.text or article.summary
        heading, _, rest = text.partition("\n")
        if rest and heading.strip() == doc.title.strip():
            text = rest  # the title is shown above the snippet already
        snippet = snippet_html(text, wanted, doc.locale)
        return SearchHit(
            doc.kind,
            doc.key,
            article.slug,
            doc.title,
            url,
            snippet,
            article.category,
            candidate.score,
        )

    def _confidence(self, ranked: list[_Candidate]) -> float:
        """How sure the engine is that the first hit answers the query, in [0, 1]:
        relevance times certainty (docs/knowledge.md explains both)."""
        if not ranked:
            return 0.0
        top = ranked[0]
        slug = _doc(self.snapshot, top).article.slug
        rival = next((c for c in ranked[1:] if _doc(self.snapshot, c).article.slug != slug), None)
        margin = 1.0 if rival is None else max(0.0, (top.score - rival.score) / top.score)
        return max(0.0, min(1.0, _relevance(top) * _certainty(margin)))

    def _suggestion(self, query: Query, slots: list[_Slot], confidence: float) -> str | None:
        """The query with each unknown (or suspiciously rare) word replaced by its likeliest
        correction, when the results for the words as typed are poor; otherwise None."""
        text = query.text
        changed = False
        for word, slot in sorted(zip(query.words, slots, strict=True), key=lambda p: -p[0].start):
            typos = [a for a in slot.alternatives if a.kind == TYPO]
            known = any(a.kind == EXACT for a in slot.alternatives)
            if typos and (not known or confidence < POOR_CONFIDENCE):
                text = text[: word.start] + typos[0].spelling + text[word.end :]
                changed = True
        return text if changed else None


def _relevance(top: _Candidate) -> float:
    """Is the best hit about the query? Most of its words (by idf), in its title or question,
    as typed rather than through a typo or prefix guess, and a title close in meaning."""
    covered = min(1.0, top.coverage / FULL_COVERAGE) ** 2
    closeness = (top.title_closeness - OFF_TOPIC_CLOSENESS) / (
        ON_TOPIC_CLOSENESS - OFF_TOPIC_CLOSENESS
    )
    on_topic = max(0.0, min(1.0, closeness))
    return covered * (0.4 + 0.6 * top.title_coverage) * (0.5 + 0.5 * top.exactness) * on_topic


def _certainty(margin: float) -> float:
    """Is it clearly the best? A logistic of its score's lead over the next article's."""
    return 1.0 / (1.0 + math.exp(-MARGIN_STEEPNESS * (margin - MARGIN_MIDPOINT)))


def _accumulate(scores: dict[int, float], parts: list[tuple[int, float, dict[int, float]]]) -> None:
    get = scores.get
    for offset, multiplier, weights in parts:
        if offset:
            for local, value in weights.items():
                scores[offset + local] = get(offset + local, 0.0) + multiplier * value
        else:
            for docnum, value in weights.items():
                scores[docnum] = get(docnum, 0.0) + multiplier * value


def _by_score(item: tuple[int, float]) -> float:
    return item[1]


def _prefer_locale(
    ranked: list[_Candidate], snapshot: Snapshot, locale: str, limit: int
) -> list[_Candidate]:
    """Good hits in the visitor's language first; English fills in when there are too few."""
    language = language_of(locale)
    if language == DEFAULT_LANGUAGE:
        return ranked[:limit]
    own = [c for c in ranked if _doc(snapshot, c).locale.split("-")[0] == language]
    good = [c for c in own if c.coverage >= GOOD_COVERAGE]
    if len(good) >= limit:
        return good[:limit]
    rest = [c for c in ranked if c not in good]
    return good + rest[: limit - len(good)]


def _doc(snapshot: Snapshot, candidate: _Candidate) -> Doc:
    doc = snapshot.docs[candidate.docnum]
    assert doc is not None
    return doc


def _has_phrases(doc: Doc | None, phrases: tuple[tuple[str, ...], ...]) -> bool:
    if doc is None:
        return False
    haystack = f"{doc.title}\n{doc.text}"
    return all(_phrase_pattern(phrase).search(haystack) for phrase in phrases)


def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Each word's first letters (so inflections match), then the rest of the word, which may
    hold a straight or typographic apostrophe: "can't" matches "cannot" and "can\u2019t"."""
    parts = [
        _APOSTROPHE.sub("['’]", re.escape(w[: max(3, len(w) - 2)])) + r"[\w'’]*" for w in words
    ]
    return re.compile(r"\b" + r"[\W_]+".join(parts), re.IGNORECASE)


_APOSTROPHE = re.compile("['’]")
