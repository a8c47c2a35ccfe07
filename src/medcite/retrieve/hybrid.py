"""Retrieve: a question → ranked, citable passages.

The backend ranks (BM25, dense, or both fused by RRF); this stage chooses the mode, embeds
the query when vectors exist, hydrates hits from the corpus store and applies two small
priors — evidence level and recency — that reorder near-ties without overriding relevance.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence

from medcite.config import SearchSettings
from medcite.corpus.store import CorpusStore
from medcite.index.base import Embedder, SearchBackend, SearchMode
from medcite.index.fusion import rrf
from medcite.models import EvidenceLevel, Hit, ScoredId, SearchFilters

# How much each evidence level counts towards the prior (1 = strongest).
EVIDENCE_WEIGHT: dict[EvidenceLevel, float] = {
    EvidenceLevel.GUIDELINE: 1.0,
    EvidenceLevel.SYSTEMATIC_REVIEW: 0.9,
    EvidenceLevel.RCT: 0.8,
    EvidenceLevel.LABEL: 0.75,
    EvidenceLevel.COHORT: 0.55,
    EvidenceLevel.REVIEW: 0.5,
    EvidenceLevel.CONSUMER: 0.5,
    EvidenceLevel.CASE: 0.3,
    EvidenceLevel.OTHER: 0.4,
}
RECENCY_SPAN_YEARS = 20
NEIGHBOUR_SCORE = 0.9  # a passage read because its document answers, vs the document's best
# Extra score by question intent (scaled by SearchSettings.intent_prior): dosing, interaction
# and safety questions are answered by the label first, treatment questions by guidelines.
# Relevance is normalised to 1.0 for the best hit, so 0.15 lifts a label passage over
# slightly better-matching abstracts, never over clearly better ones.
INTENT_EVIDENCE_BONUS: dict[str, dict[EvidenceLevel, float]] = {
    "treatment": {EvidenceLevel.GUIDELINE: 0.1, EvidenceLevel.SYSTEMATIC_REVIEW: 0.03},
    "dosing": {EvidenceLevel.LABEL: 0.15, EvidenceLevel.GUIDELINE: 0.05},
    "interactions": {EvidenceLevel.LABEL: 0.1},
    "adverse_effects": {EvidenceLevel.LABEL: 0.05},
}


class Retriever:
    """Search the corpus. ``embedder_factory`` is called once, only if vectors exist.

    One retriever serves many threads (the web app's); only the embedder's first load is locked.
    """

    def __init__(
        self,
        store: CorpusStore,
        backend: SearchBackend,
        settings: SearchSettings,
        embedder_factory: Callable[[], Embedder | None] | None = None,
    ) -> None:
        self.store, self.backend, self.settings = store, backend, settings
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._embedder_loaded = False
        self._embedder_lock = threading.Lock()

    def effective_mode(self, requested: str | None = None) -> SearchMode:
        mode = requested or self.settings.mode
        if mode == "auto":
            mode = "hybrid" if self.backend.vector_count() > 0 else "bm25"
        if mode != "bm25" and self._embedder_or_none() is None:
            return "bm25"
        return mode  # type: ignore[return-value]

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: SearchFilters | None = None,
        priors: bool = True,
        also: Sequence[str] = (),
        intent: str | None = None,
    ) -> list[Hit]:
        """The best ``k`` passages for ``query``; see the module docstring.

        ``also`` adds reformulations of the query; their rankings are fused with the
        query's own by reciprocal rank fusion. ``intent`` (from question analysis) adds
        that intent's evidence bonus (``INTENT_EVIDENCE_BONUS``) to the priors.
        """
        k = k or self.settings.k
        chosen = self.effective_mode(mode)
        depth = max(k, self.settings.candidates) if priors else k
        rankings = [self._ranking(q, depth, chosen, filters) for q in (query, *also) if q.strip()]
        scored = (
            rankings[0] if len(rankings) == 1 else rrf(rankings, k=self.settings.rrf_k, limit=depth)
        )
        if priors:
            scored = self._apply_priors(scored, intent)
        hits = self._hydrate(scored, k)
        return [Hit(i + 1, h.score, h.passage, h.document) for i, h in enumerate(hits)]

    def expand(self, hits: list[Hit], doc_ids: Sequence[str], per_document: int = 12) -> list[Hit]:
        """``hits`` plus the other passages of the documents ``doc_ids`` (up to
        ``per_document`` each), ranked after them at a little below their document's best
        score: once a page is known to answer, all of it is read, not only the passages
        whose words matched."""
        best: dict[str, Hit] = {}
        for hit in hits:
            best.setdefault(hit.document.doc_id, hit)
        wanted = [d for d in doc_ids if d in best]
        seen = {h.passage.passage_id for h in hits}
        added = [
            Hit(0, NEIGHBOUR_SCORE * best[p.doc_id].score, p, best[p.doc_id].document)
            for p in self.store.document_passages(wanted, per_document)
            if p.passage_id not in seen
        ]
        return [
            *hits,
            *(Hit(len(hits) + i + 1, h.score, h.passage, h.document) for i, h in enumerate(added)),
        ]

    def _ranking(
        self, query: str, depth: int, mode: SearchMode, filters: SearchFilters | None
    ) -> list[ScoredId]:
        vector = None
        if mode != "bm25":
            embedder = self._embedder_or_none()
            assert embedder is not None  # effective_mode checked it
            vector = embedder.embed([query])[0]
        return self.backend.search(query, k=depth, mode=mode, vector=vector, filters=filters)

    def _embedder_or_none(self) -> Embedder | None:
        if not self._embedder_loaded:
            with self._embedder_lock:  # a second thread waits, not searches BM25-only meanwhile
                if not self._embedder_loaded:
                    self._embedder = self._embedder_factory() if self._embedder_factory else None
                    self._embedder_loaded = True
        return self._embedder

    def _hydrate(self, scored: list[ScoredId], k: int) -> list[Hit]:
        """Hits for the best ``k`` of ``scored`` that the store still holds (a passage
        deleted since the index was built is skipped, and the next one takes its place)."""
        hits: list[Hit] = []
        start = 0
        while len(hits) < k and start < len(scored):
            batch = scored[start : start + k - len(hits)]
            found = self.store.passages([s.passage_id for s in batch])
            hits += [Hit(0, s.score, *found[s.passage_id]) for s in batch if s.passage_id in found]
            start += len(batch)
        return hits

    def _apply_priors(self, scored: list[ScoredId], intent: str | None = None) -> list[ScoredId]:
        """Relevance normalised to the best hit, plus evidence and recency priors."""
        if not scored:
            return scored
        traits = self.store.document_traits({s.doc_id for s in scored})
        top = max(s.score for s in scored) or 1.0
        this_year = dt.date.today().year
        rescored = [
            ScoredId(
                s.passage_id,
                s.doc_id,
                s.score / top + self.prior(*traits[s.doc_id], this_year, intent),
            )
            for s in scored
            if s.doc_id in traits
        ]
        return sorted(rescored, key=lambda s: (-s.score, s.passage_id))

    def prior(
        self, level: EvidenceLevel, year: int | None, this_year: int, intent: str | None = None
    ) -> float:
        """Score bonus for a document's evidence level and age (see SearchSettings), and for
        its evidence level given the question's intent."""
        evidence = self.settings.evidence_prior * EVIDENCE_WEIGHT[level]
        evidence += self.settings.intent_prior * INTENT_EVIDENCE_BONUS.get(intent or "", {}).get(
            level, 0.0
        )
        if year is None:
            return evidence
        age = min(max(this_year - year, 0), RECENCY_SPAN_YEARS)
        return evidence + self.settings.recency_prior * (1 - age / RECENCY_SPAN_YEARS)
