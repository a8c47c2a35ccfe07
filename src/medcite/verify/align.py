"""Alignment: which sentence (or pair of adjacent sentences) of which passage says what the
statement says, by lexical coverage and, when an embedder is at hand, embedding similarity.

Coverage is the share of the statement's content stems found in a window; a verbatim sentence
scores 1.0. Two adjacent sentences form a window too, so a statement fusing two source sentences
still aligns. Embeddings are consulted only when coverage is ambiguous, which keeps verifying an
extractive answer (verbatim sentences) free of model calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from medcite.index.base import Embedder
from medcite.text.sentences import split_sentences
from medcite.verify.base import PassageLike, Span
from medcite.verify.signals import content_stems

EMBED_BELOW = 0.8  # coverage under which embeddings may raise the alignment
EMBED_TOP = 4  # windows re-scored by the embedder
# Cosine of MiniLM paraphrases sits around 0.75-0.95, of same-topic non-paraphrases 0.4-0.7.
SIM_FLOOR, SIM_CEIL = 0.55, 0.9


@dataclass(frozen=True, slots=True)
class Window:
    """One sentence, or two adjacent sentences, of one passage."""

    passage_index: int
    passage_id: str
    start: int
    end: int
    text: str
    stems: frozenset[str]

    def span(self, score: float) -> Span:
        return Span(self.passage_index, self.passage_id, self.start, self.end, self.text, score)


@dataclass(frozen=True, slots=True)
class Aligned:
    window: Window
    score: float  # combined alignment in [0, 1]
    coverage: float  # lexical part


@lru_cache(maxsize=4096)
def _sentence_windows(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    spans = split_sentences(text) or [(0, len(text))]
    stems = [content_stems(text[s:e]) for s, e in spans]
    windows = [(s, e, st) for (s, e), st in zip(spans, stems, strict=True)]
    for i in range(len(spans) - 1):
        windows.append((spans[i][0], spans[i + 1][1], stems[i] | stems[i + 1]))
    return tuple(windows)


def windows(passages: Sequence[PassageLike]) -> list[Window]:
    """Every sentence and adjacent sentence pair of every passage."""
    found = []
    for index, passage in enumerate(passages):
        text = passage.text
        for start, end, stems in _sentence_windows(text):
            found.append(Window(index, passage.passage_id, start, end, text[start:end], stems))
    return found


def coverage(needed: frozenset[str], window: Window) -> float:
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
    ranked = sorted(
        (Aligned(w, c, c) for w in candidates if (c := coverage(needed, w)) > 0),
        key=lambda a: (-a.score, len(a.window.text)),
    )
    if embedder is None or not ranked or ranked[0].coverage >= EMBED_BELOW:
        return ranked
    model = embedder()
    if model is None:
        return ranked
    top = ranked[:EMBED_TOP]
    vectors = model.embed([statement, *(a.window.text for a in top)])
    sims = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
    rescored = [
        Aligned(a.window, max(a.coverage, _calibrated(float(sim))), a.coverage)
        for a, sim in zip(top, sims, strict=True)
    ]
    return sorted(rescored + ranked[EMBED_TOP:], key=lambda a: (-a.score, len(a.window.text)))


def _calibrated(similarity: float) -> float:
    return float(np.clip((similarity - SIM_FLOOR) / (SIM_CEIL - SIM_FLOOR), 0.0, 1.0))
