"""Alignment: which sentence (or pair of adjacent sentences) of which passage says what the
statement says, by lexical coverage and, when an embedder is at hand, embedding similarity.

Coverage is the weighted share of the statement's content stems and quantities found in a
window; a verbatim sentence scores 1.0. A stem weighs by how rare it is among the sentences
checked (its inverse document frequency), so "bleeding" counts for more than "stroke" in a page
about stroke, and a quantity weighs as much as the rarest stem. Two adjacent sentences form a
window too, so a statement fusing two source sentences still aligns; but only the sentences
that carry a real share of the statement make up its *claim*, the text the rules compare with
("Spasticity in MS is treated with baclofen" aligns with two sentences, the first of which
contributes only "MS": the rules do not see the negation in it). Embeddings are consulted only
when coverage is ambiguous, which keeps verifying an extractive answer (verbatim sentences)
free of model calls.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from medcite.index.base import Embedder
from medcite.text.sentences import split_sentences
from medcite.text.terms import tokens
from medcite.verify.abbreviations import defined_in, expanded
from medcite.verify.base import PassageLike, Span
from medcite.verify.signals import Quantity, content_stems, quantities

EMBED_BELOW = 0.8  # coverage under which embeddings may raise the alignment
EMBED_TOP = 4  # windows re-scored by the embedder
# Cosine of MiniLM paraphrases sits around 0.75-0.95, of same-topic non-paraphrases 0.4-0.7.
SIM_FLOOR, SIM_CEIL = 0.55, 0.9
CARRIES = 0.25  # share of the statement a sentence alone must add to be part of the claim


@dataclass(frozen=True, slots=True)
class Window:
    """One sentence, or two adjacent sentences, of one passage."""

    passage_index: int
    passage_id: str
    start: int
    end: int
    text: str
    stems: frozenset[str]
    sentences: tuple[Window, ...] = ()  # a pair's two sentences (empty for one sentence)

    def span(self, score: float) -> Span:
        return Span(self.passage_index, self.passage_id, self.start, self.end, self.text, score)

    @property
    def quantities(self) -> tuple[Quantity, ...]:
        return _quantities(self.text)


@dataclass(frozen=True, slots=True)
class Aligned:
    window: Window
    score: float  # combined alignment in [0, 1]
    coverage: float  # lexical part
    claim: Window  # the window's sentence(s) that carry the statement


@lru_cache(maxsize=8192)
def _quantities(text: str) -> tuple[Quantity, ...]:
    return tuple(quantities(text))


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


@lru_cache(maxsize=4096)
def _sentence_windows(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    spans = split_sentences(text) or [(0, len(text))]
    return tuple((s, e, content_stems(text[s:e])) for s, e in spans)


def windows(passages: Sequence[PassageLike], statement: str = "") -> list[Window]:
    """Every sentence and adjacent sentence pair of every passage. A sentence's stems include
    both forms of each abbreviation the passages, or else the ``statement`` checked against
    them, define (:mod:`medcite.verify.abbreviations`): "HSCT is successful in 85 percent"
    says "stem cell transplantation"; a source that only writes "AMPK" says the "AMP-activated
    protein kinase (AMPK)" of a statement."""
    found = []
    defined = defined_in([*(p.text for p in passages), statement])
    for index, passage in enumerate(passages):
        text = passage.text
        single = [
            Window(index, passage.passage_id, start, end, text[start:end], stems)
            for start, end, stems in _sentence_windows(text)
        ]
        if defined:
            single = [replace(w, stems=expanded(w.stems, _words(w.text), defined)) for w in single]
        found += single
        for a, b in zip(single, single[1:], strict=False):
            pair_text = text[a.start : b.end]
            found.append(
                Window(
                    index, passage.passage_id, a.start, b.end, pair_text, a.stems | b.stems, (a, b)
                )
            )
    return found


class Weights:
    """Inverse document frequency of stems over the sentences checked, and the statement's
    quantities, for weighted coverage."""

    def __init__(self, statement: str, needed: frozenset[str], candidates: list[Window]) -> None:
        sentences = [w for w in candidates if not w.sentences]
        count = max(len(sentences), 1)
        # 1 + log(N / df); a stem in no sentence says nothing about which sentence is meant,
        # so it weighs as the median stem that is there does.
        frequency = {s: sum(s in w.stems for w in sentences) for s in needed}
        present = [1.0 + math.log(count / df) for df in frequency.values() if df]
        absent = statistics.median(present) if present else 1.0
        self.stem = {s: 1.0 + math.log(count / df) if df else absent for s, df in frequency.items()}
        self.needed = needed
        self.quantities = tuple(
            q for q in _quantities(statement) if not q.from_words or q.dimension
        )
        self.quantity = max(self.stem.values(), default=1.0)

    def score(self, window: Window) -> float:
        """The alignment of ``window``: the mean of its weighted and plain coverage (weights
        pick the right sentence; the plain share keeps a paraphrase's level)."""
        counted = self._counted(window)
        plain_total = len(self.needed) + len(counted)
        if not plain_total:
            return 0.0
        found = len(self.needed & window.stems) + sum(
            any(q.matches(h) for h in window.quantities) for q in counted
        )
        return round((self.coverage(window) + found / plain_total) / 2, 9)

    def coverage(self, window: Window, beside: Window | None = None) -> float:
        """Weighted share of the statement found in ``window`` (only what ``beside`` lacks)."""
        counted = self._counted(window)
        total = sum(self.stem.values()) + self.quantity * len(counted)
        if not total:
            return 0.0
        stems = self.needed & window.stems - (beside.stems if beside else frozenset())
        found = sum(self.stem[s] for s in stems)
        for quantity in counted:
            here = any(quantity.matches(q) for q in window.quantities)
            if here and not (beside and any(quantity.matches(q) for q in beside.quantities)):
                found += self.quantity
        return round(found / total, 9)  # a verbatim sentence scores exactly 1

    def _counted(self, window: Window) -> tuple[Quantity, ...]:
        """The statement's quantities that count for ``window``: one the window states
        differently ("two thirds" where it says "one third") neither helps nor hurts the
        alignment, it is for the numbers rule to judge."""
        return tuple(
            q
            for q in self.quantities
            if not any(q.differs_from(h) for h in window.quantities)
            or any(q.matches(h) for h in window.quantities)
        )

    def _restates_a_number(self, sentence: Window, other: Window) -> bool:
        """Whether ``sentence`` gives one of the statement's quantities a value of its own
        that ``other`` does not ("for more than 2 years" where the statement says "2 months"):
        where a number is said differently is where the claim is judged."""
        return any(
            any(q.differs_from(h) for h in sentence.quantities)
            and not any(q.matches(h) or q.differs_from(h) for h in other.quantities)
            for q in self.quantities
        ) and bool(self.needed & sentence.stems)

    def claim(self, window: Window) -> Window:
        """The sentences of ``window`` that carry the statement: a sentence of a pair that adds
        less than ``CARRIES`` of it (and covers little alone) is context, not claim, unless it
        states one of the statement's numbers differently."""
        if not window.sentences:
            return window
        a, b = window.sentences
        carries = [
            s
            for s, other in ((a, b), (b, a))
            if self.coverage(s, other) >= CARRIES or self._restates_a_number(s, other)
        ]
        if len(carries) == 1:
            return carries[0]
        if not carries:
            return max((a, b), key=self.coverage)
        return window


def coverage(needed: frozenset[str], window: Window) -> float:
    """Unweighted share of ``needed`` stems in ``window``."""
    if not needed:
        return 0.0
    return len(needed & window.stems) / len(needed)


def align(
    statement: str,
    needed: frozenset[str],
    candidates: list[Window],
    embedder: Callable[[], Embedder | None] | None = None,
) -> list[Aligned]:
    """Windows ranked by alignment with the statement, best first (ties: shorter first).

    ``embedder`` returns the embedder (or None); it is called only when the best coverage is
    ambiguous, so a lazily loaded model is loaded only when it can change the ranking.
    """
    weights = Weights(statement, needed, candidates)
    ranked = sorted(
        (Aligned(w, c, c, weights.claim(w)) for w in candidates if (c := weights.coverage(w)) > 0),
        key=lambda a: (-a.score, len(a.claim.text), len(a.window.text)),
    )
    if embedder is None or not ranked or ranked[0].coverage >= EMBED_BELOW:
        return ranked
    model = embedder()
    if model is None:
        return ranked
    import numpy as np  # with the embedder only: a lexical verification does not load it

    top = ranked[:EMBED_TOP]
    vectors = model.embed([statement, *(a.window.text for a in top)])
    sims = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
    rescored = [
        Aligned(a.window, max(a.coverage, _calibrated(float(sim))), a.coverage, a.claim)
        for a, sim in zip(top, sims, strict=True)
    ]
    return sorted(
        rescored + ranked[EMBED_TOP:],
        key=lambda a: (-a.score, len(a.claim.text), len(a.window.text)),
    )


def _calibrated(similarity: float) -> float:
    return min(1.0, max(0.0, (similarity - SIM_FLOOR) / (SIM_CEIL - SIM_FLOOR)))
